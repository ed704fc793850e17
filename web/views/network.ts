import { escapeHtml } from "../../src/report/summary-table.js";
import type { NetworkPicture } from "../protocol.js";

// The contact network at small populations: persons on the ring the small world
// was built on (lattice ties are short chords, rewired ties cross the circle),
// coloured by what the system did to them; cut ties in dashed red.

export const PICTURE_MAX_AGENTS = 2000;

const COLOURS = ["#c9c9c9", "#4c78a8", "#e45756", "#f58518"];
const LABELS = ["never listed", "listed (rightfully)", "listed wrongfully", "not listed, but a household member was"];

export function renderNetwork(into: HTMLElement, picture: NetworkPicture | null, why: string): void {
  if (!picture) {
    into.innerHTML = `<p class="note">${escapeHtml(why)}</p>`;
    return;
  }
  const { ring, start, adj, status } = picture;
  const P = ring.length;
  const size = 640;
  const pos = new Float64Array(2 * start.length);
  const r = size / 2 - 16;
  for (let k = 0; k < P; k++) {
    const a = (2 * Math.PI * k) / P - Math.PI / 2;
    pos[2 * ring[k]] = size / 2 + r * Math.cos(a);
    pos[2 * ring[k] + 1] = size / 2 + r * Math.sin(a);
  }
  const counts = [0, 0, 0, 0];
  for (let k = 0; k < P; k++) counts[status[ring[k]]]++;
  let ties = 0;
  let cutTies = 0;
  for (let i = 0; i + 1 < start.length; i++)
    for (let e = start[i]; e < start[i + 1]; e++) {
      const raw = adj[e];
      const j = raw < 0 ? ~raw : raw;
      if (j < i) continue;
      ties++;
      if (raw < 0) cutTies++;
    }
  into.innerHTML = `<canvas width="${size * 2}" height="${size * 2}" role="img"
aria-label="Contact network of ${P} people: ${counts[2]} listed wrongfully, ${counts[1]} listed rightfully, ${counts[3]} affected through their household, ${cutTies} of ${ties} ties cut"></canvas>
<ul class="legend">${LABELS.map((l, k) => `<li><span class="swatch" style="background:${COLOURS[k]}"></span>${escapeHtml(l)}: ${counts[k]}</li>`).join("")}
<li><span class="swatch dashed"></span>tie cut to a listed contact: ${cutTies} of ${ties}</li></ul>`;
  const canvas = into.querySelector("canvas") as HTMLCanvasElement;
  const ctx = canvas.getContext("2d") as CanvasRenderingContext2D;
  ctx.scale(2, 2);
  ctx.fillStyle = "white";
  ctx.fillRect(0, 0, size, size);
  const line = (i: number, j: number) => {
    ctx.beginPath();
    ctx.moveTo(pos[2 * i], pos[2 * i + 1]);
    ctx.lineTo(pos[2 * j], pos[2 * j + 1]);
    ctx.stroke();
  };
  // kept ties first, faint; ties touching a listed person darker; cut ties on top
  for (const pass of [0, 1, 2]) {
    ctx.setLineDash(pass === 2 ? [4, 3] : []);
    ctx.strokeStyle = pass === 0 ? "rgba(0,0,0,0.06)" : pass === 1 ? "rgba(69,69,69,0.35)" : "rgba(228,87,86,0.9)";
    ctx.lineWidth = pass === 2 ? 1.2 : 0.7;
    for (let i = 0; i + 1 < start.length; i++)
      for (let e = start[i]; e < start[i + 1]; e++) {
        const raw = adj[e];
        const j = raw < 0 ? ~raw : raw;
        if (j < i) continue;
        const touched = status[i] === 1 || status[i] === 2 || status[j] === 1 || status[j] === 2;
        const kind = raw < 0 ? 2 : touched ? 1 : 0;
        if (kind === pass) line(i, j);
      }
  }
  ctx.setLineDash([]);
  for (let k = 0; k < P; k++) {
    const i = ring[k];
    ctx.fillStyle = COLOURS[status[i]];
    ctx.beginPath();
    ctx.arc(pos[2 * i], pos[2 * i + 1], status[i] === 0 ? 2 : 3.2, 0, 2 * Math.PI);
    ctx.fill();
  }
}
