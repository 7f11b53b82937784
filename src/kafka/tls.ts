import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { ConfigError } from '../errors.js';
import type { KafkaTlsOptions } from '../config/settings.js';

/**
 * The kafkajs `ssl` option from `kafka.ssl` and `kafka.tls.*`: `false`, `true` (Node's built-in
 * CA list, as before `kafka.tls` existed), or Node TLS options with the PEM files read now.
 * The files were checked for readability when the configuration was loaded; this reads them
 * at client creation so a rotated certificate is picked up by the next client, and checks they
 * hold PEM so a DER file or a swapped path fails here with the key named, not as an opaque
 * handshake error against every broker.
 */
export function kafkaSsl(kafka: Readonly<KafkaTlsOptions>): boolean | ConnectionOptions {
  if (!kafka.ssl) return false;
  const { caFile, certFile, keyFile, rejectUnauthorized, servername } = kafka.tls;
  if (caFile === undefined && certFile === undefined && servername === undefined && rejectUnauthorized) return true;
  const options: ConnectionOptions = { rejectUnauthorized };
  if (caFile !== undefined) options.ca = [readPem('kafka.tls.caFile', caFile, 'CERTIFICATE')];
  if (certFile !== undefined && keyFile !== undefined) {
    options.cert = readPem('kafka.tls.certFile', certFile, 'CERTIFICATE');
    options.key = readPem('kafka.tls.keyFile', keyFile, 'PRIVATE KEY');
  }
  if (servername !== undefined) options.servername = servername;
  return options;
}

/** The file's text if it holds a PEM block whose label ends with `label`; a ConfigError naming the key otherwise. */
function readPem(key: string, file: string, label: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`invalid configuration: ${key}: cannot read ${file}: ${(err as Error).message}`, { key });
  }
  // "PRIVATE KEY" also matches "RSA PRIVATE KEY" and "EC PRIVATE KEY" (PKCS#1 / SEC1 files).
  if (!new RegExp(`-----BEGIN [A-Z0-9 ]*${label}-----`).test(text)) {
    throw new ConfigError(`invalid configuration: ${key}: ${file} holds no PEM "${label}" block (-----BEGIN …${label}-----)`, { key });
  }
  return text;
}
