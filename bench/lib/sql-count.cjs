// Preload (`node --require bench/lib/sql-count.cjs`) for bench/fairness-profile.ts: counts the SQLite
// statements a process runs, by SQL text, and writes them to $SQLCOUNT_OUT as JSON at exit.
const Database = require('better-sqlite3');
const counts = new Map();
const bump = (key) => counts.set(key, (counts.get(key) || 0) + 1);
const prepare = Database.prototype.prepare;
Database.prototype.prepare = function (sql) {
  const statement = prepare.call(this, sql);
  const key = sql.replace(/\s+/g, ' ').trim().slice(0, 110);
  for (const method of ['run', 'get', 'all', 'iterate']) {
    const original = statement[method];
    if (typeof original === 'function')
      statement[method] = function (...args) {
        bump(key);
        return original.apply(this, args);
      };
  }
  return statement;
};
const exec = Database.prototype.exec;
Database.prototype.exec = function (sql) {
  bump(`EXEC ${sql.replace(/\s+/g, ' ').trim().slice(0, 60)}`);
  return exec.call(this, sql);
};
process.on('exit', () => {
  require('node:fs').writeFileSync(
    process.env.SQLCOUNT_OUT,
    JSON.stringify([...counts].sort((a, b) => b[1] - a[1])),
  );
});
