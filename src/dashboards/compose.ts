/**
 * Put a source's CTE list in front of a dashboard query, so `FROM observations` / `FROM traces` resolve
 * to the CTEs (a CTE name shadows a table of the same name in ClickHouse). The dashboard text itself is
 * not touched: its own `WITH` list is appended after the source's.
 */
import { closedError } from '../errors.js';
export function withSourceCtes(sql: string, ctes: string | undefined): string {
  try {
    return withSourceCtesUnchecked(sql, ctes);
  } catch (err) {
    throw closedError(err, 'withSourceCtes');
  }
}

function withSourceCtesUnchecked(sql: string, ctes: string | undefined): string {
  if (!ctes?.trim()) return sql;
  const list = stripSqlComments(ctes).trim().replace(/,\s*$/, '');
  const m = /^\s*WITH\b/i.exec(sql);
  if (m) return `WITH\n${list},\n${sql.slice(m[0].length).replace(/^\s*\n/, '')}`;
  return `WITH\n${list}\n${sql}`;
}

/** Drop `--` line comments outside string literals (for asset files with a header). */
export function stripSqlComments(sql: string): string {
  try {
    return stripSqlCommentsUnchecked(sql);
  } catch (err) {
    throw closedError(err, 'stripSqlComments');
  }
}

function stripSqlCommentsUnchecked(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'") {
      let j = i + 1;
      while (j < sql.length && sql[j] !== "'") j += sql[j] === '\\' ? 2 : 1;
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
    } else {
      out += c;
      i++;
    }
  }
  return out
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l !== '')
    .join('\n')
    .replace(/;\s*$/, '');
}
