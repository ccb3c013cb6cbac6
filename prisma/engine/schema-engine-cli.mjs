// The schema engine's one-shot `cli` commands (schema-engine-shim.mjs): can-connect-to-database,
// create-database, drop-database, for SQLite files and PostgreSQL servers.

import fs from 'node:fs';
import path from 'node:path';
import {
  adminQuery,
  databaseOf,
  providerOfUrl,
  quoteIdent,
  sqlitePath,
  UserFacingError,
} from './schema-engine-common.mjs';

// ---------------------------------------------------------------------------------------------
// one-shot `cli` commands

export async function cliCommand(command, datasource) {
  const url = datasource?.url;
  const provider = providerOfUrl(url);
  if (provider === 'sqlite') {
    const file = sqlitePath(url);
    if (command === 'can-connect-to-database') {
      if (file !== ':memory:' && !fs.existsSync(file)) {
        throw new UserFacingError('P1003', `Database ${path.basename(file)} does not exist at ${file}`, {
          database_file_name: path.basename(file),
          database_file_path: file,
        });
      }
      return;
    }
    if (command === 'create-database') {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const Database = (await import('better-sqlite3')).default;
      new Database(file).close();
      return `Database '${path.basename(file)}' was successfully created.`;
    }
    if (command === 'drop-database') {
      for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(`${file}${suffix}`, { force: true });
      return `The database at ${file} was successfully dropped.`;
    }
  } else if (provider === 'postgresql') {
    const db = databaseOf(url);
    try {
      if (command === 'can-connect-to-database') {
        await adminQuery(url, 'SELECT 1');
        return;
      }
      if (command === 'create-database') {
        await adminQuery(url, `CREATE DATABASE ${quoteIdent(db)}`, 'postgres');
        return `Database '${db}' was successfully created.`;
      }
      if (command === 'drop-database') {
        await adminQuery(url, `DROP DATABASE IF EXISTS ${quoteIdent(db)} WITH (FORCE)`, 'postgres');
        return `The database '${db}' was successfully dropped.`;
      }
    } catch (e) {
      const u = new URL(url);
      if (e.code === '3D000')
        throw new UserFacingError(
          'P1003',
          `Database \`${db}\` does not exist on the database server at \`${u.host}\`.`,
          {
            database_name: db,
            database_host: u.hostname,
            database_port: u.port,
          },
        );
      if (e.code === '42P04')
        throw new UserFacingError(
          'P1009',
          `Database \`${db}\` already exists on the database server at \`${u.host}\``,
        );
      if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND')
        throw new UserFacingError('P1001', `Can't reach database server at \`${u.host}\``, {
          database_host: u.hostname,
          database_port: u.port,
        });
      if (e.code === '28P01' || e.code === '28000')
        throw new UserFacingError(
          'P1000',
          `Authentication failed against database server at \`${u.host}\`: ${e.message}`,
        );
      throw e;
    }
  } else {
    throw new UserFacingError(
      'P1013',
      'The provided database string is invalid: only file: and postgresql:// URLs are supported.',
    );
  }
  throw new UserFacingError('P1012', `Unknown cli command ${command}`);
}
