import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments } from 'yaml';

/** One Kubernetes object as a manifest holds it, with the file it came from (for messages). */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  file: string;
  [field: string]: unknown;
}

/**
 * Every document of a YAML file, refused when YAML 1.1 (what kubectl's parser follows) and
 * YAML 1.2 read it differently: `0440`, `yes`, `on` would be one value here and another in the
 * cluster. Merge keys (`<<: *anchor`) are applied, as kubectl and docker compose do.
 */
export function readYamlDocuments(file: string): unknown[] {
  const text = readFileSync(file, 'utf8');
  const parse = (version: '1.1' | '1.2') =>
    parseAllDocuments(text, { version, merge: true }).map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
      return doc.toJS() as unknown;
    });
  const v12 = parse('1.2');
  if (!isDeepStrictEqual(v12, parse('1.1'))) throw new Error(`${file}: YAML 1.1 and 1.2 read this file differently (a leading-zero number, yes/no, on/off?)`);
  return v12.filter((d) => d !== null);
}

const KUSTOMIZATION_FIELDS = new Set(['apiVersion', 'kind', 'resources']);

/**
 * `kustomize build` of a base that uses `resources` only (files, or folders holding a
 * kustomization.yaml): the objects in order. Any other field is an error, so a feature added to
 * the base that this renderer would not apply fails the test instead of being skipped.
 */
export function renderKustomization(dir: string): K8sObject[] {
  const file = join(dir, 'kustomization.yaml');
  const [k] = readYamlDocuments(file) as Record<string, unknown>[];
  if (k?.kind !== 'Kustomization') throw new Error(`${file}: not a Kustomization`);
  const unknown = Object.keys(k!).filter((f) => !KUSTOMIZATION_FIELDS.has(f));
  if (unknown.length > 0) throw new Error(`${file}: fields this renderer does not apply: ${unknown.join(', ')}`);
  const out: K8sObject[] = [];
  for (const resource of (k.resources as string[] | undefined) ?? []) {
    const path = join(dir, resource);
    if (!/\.ya?ml$/.test(resource)) {
      out.push(...renderKustomization(path));
      continue;
    }
    for (const doc of readYamlDocuments(path)) out.push({ ...(doc as K8sObject), file: path });
  }
  const seen = new Set<string>();
  for (const o of out) {
    const id = `${o.apiVersion}/${o.kind}/${o.metadata?.name}`;
    if (seen.has(id)) throw new Error(`${o.file}: ${id} is defined twice (kustomize refuses that)`);
    seen.add(id);
  }
  return out;
}
