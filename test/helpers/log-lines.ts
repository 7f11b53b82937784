/**
 * The keys a JSON log line holds more than once at its top level. Read from the text itself:
 * JSON.parse keeps the last of two equal keys and so cannot see a duplicate.
 */
export function duplicateKeys(line: string): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  let depth = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === '"') {
      let end = i + 1;
      while (line[end] !== '"') end += line[end] === '\\' ? 2 : 1;
      if (depth === 1 && line[end + 1] === ':') {
        const key = JSON.parse(line.slice(i, end + 1)) as string;
        if (seen.has(key)) twice.add(key);
        seen.add(key);
      }
      i = end;
    }
  }
  return [...twice];
}
