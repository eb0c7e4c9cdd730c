// Draws the extension icon (a white push-pin on a Bitrix24-blue rounded square) at every size the browsers and
// stores ask for, into public/icon/. Run by hand after changing the drawing: `node scripts/make-icons.mjs`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const SIZES = [16, 32, 48, 96, 128];

function crc32(buf) {
  let c;
  let crc = 0xffffffff;
  for (let n = 0; n < buf.length; n++) {
    c = (crc ^ buf[n]) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

function png(size, pixel) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel(x, y);
      const o = y * (size * 4 + 1) + 1 + x * 4;
      raw[o] = r;
      raw[o + 1] = g;
      raw[o + 2] = b;
      raw[o + 3] = a;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// Signed distances in a 0..1 square; negative inside.
const roundedSquare = (x, y) => {
  const r = 0.2;
  const qx = Math.abs(x - 0.5) - (0.5 - r);
  const qy = Math.abs(y - 0.5) - (0.5 - r);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
};
const box = (x, y, cx, cy, hw, hh) => Math.max(Math.abs(x - cx) - hw, Math.abs(y - cy) - hh);
const pin = (x, y) => {
  // Rotate 45° around the centre so the pin leans like a push-pin.
  const a = Math.PI / 4;
  const dx = x - 0.5;
  const dy = y - 0.5;
  const u = 0.5 + dx * Math.cos(a) + dy * Math.sin(a);
  const v = 0.5 - dx * Math.sin(a) + dy * Math.cos(a);
  const head = box(u, v, 0.5, 0.24, 0.15, 0.05);
  const body = box(u, v, 0.5, 0.37, 0.09, 0.1);
  const collar = box(u, v, 0.5, 0.5, 0.2, 0.04);
  const needle = box(u, v, 0.5, 0.68, 0.025, 0.16);
  return Math.min(head, body, collar, needle);
};

const BLUE = [47, 198, 246];
for (const size of SIZES) {
  const aa = 1 / size;
  const cover = (d) => Math.min(1, Math.max(0, 0.5 - d / aa));
  const data = png(size, (px, py) => {
    let bg = 0;
    let fg = 0;
    for (const [ox, oy] of [
      [0.25, 0.25],
      [0.75, 0.25],
      [0.25, 0.75],
      [0.75, 0.75],
    ]) {
      const x = (px + ox) / size;
      const y = (py + oy) / size;
      bg += cover(roundedSquare(x, y)) / 4;
      fg += cover(pin(x, y)) / 4;
    }
    const r = BLUE[0] * (1 - fg) + 255 * fg;
    const g = BLUE[1] * (1 - fg) + 255 * fg;
    const b = BLUE[2] * (1 - fg) + 255 * fg;
    return [Math.round(r), Math.round(g), Math.round(b), Math.round(255 * bg)];
  });
  mkdirSync('public/icon', { recursive: true });
  writeFileSync(`public/icon/${size}.png`, data);
}
console.log(`icons written: ${SIZES.join(', ')}`);
