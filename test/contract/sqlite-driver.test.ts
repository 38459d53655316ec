import { describe, expect, it } from 'vitest';
import { availableSqliteDrivers, openSqlite } from '../../src/adapters/stores/sqlite-driver.js';

describe('the SQLite driver choice', () => {
  it('has at least one driver here, better-sqlite3 first when it loads', () => {
    const drivers = availableSqliteDrivers();
    expect(drivers.length).toBeGreaterThan(0);
    const { db, driver } = openSqlite(':memory:');
    db.close();
    expect(driver).toBe(drivers[0]);
  });

  it('knows node:sqlite exactly on Node 22.13 and later', () => {
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    const expected = major > 22 || (major === 22 && minor >= 13);
    expect(availableSqliteDrivers().includes('node:sqlite')).toBe(expected);
  });

  it.each(availableSqliteDrivers())('%s: named and positional parameters, get and all', (driver) => {
    const { db } = openSqlite(':memory:', { driver });
    try {
      db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)');
      db.prepare('INSERT INTO t (k, v) VALUES (@k, @v)').run({ k: 'a', v: 1 });
      db.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run('b', 2);
      expect({ ...(db.prepare('SELECT v FROM t WHERE k = ?').get('b') as object) }).toEqual({ v: 2 });
      expect(db.prepare('SELECT v FROM t WHERE k = ?').get('zz')).toBeUndefined();
      expect((db.prepare('SELECT k FROM t ORDER BY k').all() as { k: string }[]).map((r) => r.k)).toEqual([
        'a',
        'b',
      ]);
    } finally {
      db.close();
    }
  });
});
