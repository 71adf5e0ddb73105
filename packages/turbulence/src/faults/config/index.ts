/**
 * The `config` fault family: bad configuration. `config.set`, `config.delete` and `config.corrupt` change a
 * YAML, JSON, TOML, INI or .env file by key path and put back its exact bytes, mode and owner on revert (see
 * `./file-driver.ts`, `./backup.ts`); `config.env` and `config.arg` restart a supervised process with one
 * environment variable or flag changed (`./spec-driver.ts`).
 */
import type { AnyDriver } from '../../core/fault.js';
import { corruptEdit, deleteEdit, setEdit } from './edits.js';
import { fileDriver } from './file-driver.js';
import { corruptParams, deleteParams, setParams } from './schema.js';
import { argDriver, envDriver } from './spec-driver.js';

/** Every driver of the family, one line each. */
export const drivers: readonly AnyDriver[] = [
  fileDriver(
    'config.set',
    'set a key of a YAML/JSON/TOML/INI/.env file to a bad value; revert restores the exact bytes',
    setParams,
    setEdit,
  ),
  fileDriver(
    'config.delete',
    'remove a key from a YAML/JSON/TOML/INI/.env file; revert restores the exact bytes',
    deleteParams,
    deleteEdit,
  ),
  fileDriver(
    'config.corrupt',
    'truncate a config file, break its syntax, give a key the wrong type, or flip random bytes',
    corruptParams,
    corruptEdit,
  ),
  envDriver,
  argDriver,
];
