// Converts vega-datasets' flights-3m.parquet to CSV: node convert.mjs OUT.csv
// Row groups are read one at a time so that node never holds the 3 M rows at once. Dates have
// minute resolution and are written as ISO 8601 without seconds ("2001-01-01 00:01"), which
// makes the file the 97 MB that DATASETS.md describes.
import { closeSync, openSync, renameSync, writeSync } from 'node:fs';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

const out = process.argv[2];
if (!out) {
  console.error('usage: node convert.mjs OUT.csv');
  process.exit(2);
}
const source = new URL('node_modules/vega-datasets/data/flights-3m.parquet', import.meta.url);
const file = await asyncBufferFromFile(source.pathname);
const metadata = await parquetMetadataAsync(file);

const pad = (n) => String(n).padStart(2, '0');
const formatDate = (d) =>
  `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
  `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}` +
  (d.getUTCSeconds() ? `:${pad(d.getUTCSeconds())}` : '');
const cell = (v) => (v === null || v === undefined ? '' : String(v));

const tmp = `${out}.tmp`;
const fd = openSync(tmp, 'w');
writeSync(fd, 'date,delay,distance,origin,destination\n');
let rowStart = 0;
for (const group of metadata.row_groups) {
  const rowEnd = rowStart + Number(group.num_rows);
  const rows = await parquetReadObjects({ file, metadata, compressors, rowStart, rowEnd });
  const lines = rows.map(
    (r) =>
      `${r.date ? formatDate(r.date) : ''},${cell(r.delay)},${cell(r.distance)},` +
      `${cell(r.origin)},${cell(r.destination)}\n`,
  );
  writeSync(fd, lines.join(''));
  rowStart = rowEnd;
}
closeSync(fd);
renameSync(tmp, out);
console.error(`wrote ${rowStart} rows to ${out}`);
