/**
 * The package's public entry (`import … from 'seqchain'`): the sequenced reader, its option and
 * record types, the typed errors, the genesis reader for a caller that takes the genesis
 * from ZooKeeper, and sealed payloads (seal on the producer side, a keyring to open). docs/CONSUMING.md documents it; nothing else under src/ is public API.
 */
export type { GenesisRecord } from './coordination/genesis-store.js';
export { readChainGenesis, type ZooKeeperConfig } from './coordination/connect.js';
export {
  ChainBrokenError,
  ConfigError,
  type ErrorCode,
  ErrorCodes,
  isSeqchainError,
  MalformedMessageError,
  SealError,
  type SealErrorCode,
  SeqchainError,
  type SeqchainErrorOptions,
  SourceDeletedError,
} from './errors.js';
export { createLogger, type Logger, type LogOptions } from './log.js';
export {
  type ReaderGenesis,
  type ReaderKafkaOptions,
  readerDefaults,
  type ResumePoint,
  type SequencedReaderOptions,
  type SkippedRange,
} from './reader/options.js';
export { readSequenced } from './reader/sequenced-reader.js';
export { type SequencedRecordJson, sequencedRecordJson } from './reader/record-json.js';
export type { SealedInfo, SequencedHeader, SequencedRecord } from './reader/window.js';
export { loadKeyring } from './config/key-file.js';
export { Keyring, type KeyringEntry, parseKeyring } from './seal/keyring.js';
export { openSealedValue, SEAL_KEY_ID_HEADER, type SealedValue, sealValue } from './seal/sealed-value-v1.js';
