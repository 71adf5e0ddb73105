/**
 * The arcade view: targets as sprites on a canvas (and as buttons, for the keyboard). Nothing fires until the
 * player arms it (the blast radius is shown then); the first shot of the session asks for confirmation. Shots go
 * to the server, which injects the target family's kill (`process.kill` for demo replicas and lab services,
 * `container.kill`, `pod.delete`) through the fault manager (ledger, blast radius, revert). Sprites differ by
 * family in shape: a rack (process), a double rack (lab service), a ribbed box (container), a hexagon (pod).
 */
import { api } from './api.js';

interface Target {
  key: string;
  source: number;
  family: 'process' | 'lab' | 'container' | 'pod';
  name: string;
  pid: number | null;
  alive: boolean;
}
interface ArcadeState {
  armed: boolean;
  sources: { label: string; family: string; kind: string; effect: string }[];
  targets: Target[];
  blastRadius: {
    targets: string[];
    kind: string;
    maxTargetsPerShot: number;
    maxConcurrentFaults: number;
  };
  active: { id: string; kind: string; target: string }[];
}

const $ = <T extends HTMLElement = HTMLElement>(sel: string) => document.querySelector<T>(sel)!;
const esc = (s: unknown) =>
  String(s).replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
let state: ArcadeState | undefined;
let confirmed = false;
let aim = { x: -100, y: -100 };
const SPRITE = { w: 120, h: 110, gap: 24, top: 70, row: 150 };
const PER_ROW = 5;

/** Where sprite `i` sits: rows of five, centred. */
function spriteAt(i: number, n: number, width: number): { x: number; y: number } {
  const row = Math.floor(i / PER_ROW);
  const inRow = Math.min(PER_ROW, n - row * PER_ROW);
  const k = i % PER_ROW;
  return {
    x: (width - (inRow * SPRITE.w + (inRow - 1) * SPRITE.gap)) / 2 + k * (SPRITE.w + SPRITE.gap),
    y: SPRITE.top + row * SPRITE.row,
  };
}

/** A sprite per family; shape (not colour) says what it is and whether it is down. */
function drawSprite(ctx: CanvasRenderingContext2D, t: Target, x: number, y: number): void {
  const h = SPRITE.h - 30;
  ctx.setLineDash(t.alive ? [] : [5, 4]);
  if (t.family === 'pod') {
    // a hexagon, Kubernetes' shape
    ctx.beginPath();
    for (let k = 0; k < 6; k++) {
      const a = (Math.PI / 3) * k + Math.PI / 6;
      const px = x + SPRITE.w / 2 + Math.cos(a) * 38;
      const py = y + h / 2 + Math.sin(a) * 38;
      if (k === 0) ctx.moveTo(px, py);
      else ctx.lineTo(px, py);
    }
    ctx.closePath();
    ctx.stroke();
  } else if (t.family === 'container') {
    // a shipping container: a box with vertical ribs
    ctx.strokeRect(x + 6, y + 14, SPRITE.w - 12, h - 24);
    if (t.alive) for (let k = 1; k < 6; k++) ctx.fillRect(x + 6 + k * ((SPRITE.w - 12) / 6), y + 18, 2, h - 32);
  } else {
    // a server (process) or a host (lab service): a rack with lights
    ctx.strokeRect(x, y, SPRITE.w, h);
    if (t.alive) for (let r = 0; r < 3; r++) ctx.fillRect(x + 14, y + 14 + r * 18, SPRITE.w - 28, 8);
    if (t.family === 'lab') ctx.strokeRect(x + 4, y + 4, SPRITE.w - 8, h - 8);
  }
  ctx.setLineDash([]);
  if (!t.alive) {
    ctx.beginPath();
    ctx.moveTo(x + 10, y + 10);
    ctx.lineTo(x + SPRITE.w - 10, y + h - 10);
    ctx.moveTo(x + SPRITE.w - 10, y + 10);
    ctx.lineTo(x + 10, y + h - 10);
    ctx.stroke();
  }
}

function draw(): void {
  const canvas = $<HTMLCanvasElement>('#arena');
  const ctx = canvas.getContext('2d');
  if (!ctx || !state) return;
  const rows = Math.max(1, Math.ceil(state.targets.length / PER_ROW));
  const height = SPRITE.top + rows * SPRITE.row;
  if (canvas.height !== height) canvas.height = height;
  const css = getComputedStyle(document.documentElement);
  const fg = css.getPropertyValue('--fg') || '#000';
  const bad = css.getPropertyValue('--bad') || '#b00';
  ctx.fillStyle = css.getPropertyValue('--panel') || '#eee';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.font = '13px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.fillStyle = fg;
  ctx.fillText(
    state.armed ? 'ARMED — click a target to shoot it' : 'disarmed — arm the arcade to play',
    canvas.width / 2,
    30,
  );
  state.targets.forEach((t, i) => {
    const { x, y } = spriteAt(i, state!.targets.length, canvas.width);
    ctx.strokeStyle = t.alive ? fg : bad;
    ctx.fillStyle = fg;
    ctx.lineWidth = 2;
    drawSprite(ctx, t, x, y);
    ctx.fillStyle = fg;
    const label = t.name.length > 18 ? `${t.name.slice(0, 17)}…` : t.name;
    ctx.fillText(label, x + SPRITE.w / 2, y + SPRITE.h - 12);
    ctx.fillText(
      t.alive ? (t.pid ? `${t.family} · pid ${t.pid}` : t.family) : 'DOWN',
      x + SPRITE.w / 2,
      y + SPRITE.h + 6,
    );
  });
  if (state.armed) {
    ctx.strokeStyle = bad;
    ctx.beginPath();
    ctx.arc(aim.x, aim.y, 14, 0, Math.PI * 2);
    ctx.moveTo(aim.x - 22, aim.y);
    ctx.lineTo(aim.x + 22, aim.y);
    ctx.moveTo(aim.x, aim.y - 22);
    ctx.lineTo(aim.x, aim.y + 22);
    ctx.stroke();
  }
}

/** Reloads the arcade's state and redraws. */
export async function loadArcade(): Promise<void> {
  state = await api<ArcadeState>('/api/arcade');
  const b = state.blastRadius;
  $<HTMLInputElement>('#arm').checked = state.armed;
  $('#armed-state').textContent = state.armed ? 'ARMED: shots inject real faults' : 'disarmed: shots are refused';
  $('#blast-radius').textContent =
    `Blast radius: ${b.kind}; only targets of ${b.targets.join(', ')}; at most ${b.maxTargetsPerShot} target per shot and ` +
    `${b.maxConcurrentFaults} down at once (Revert in Active faults brings one back early).`;
  $('#shoot-buttons').innerHTML = state.sources
    .map(
      (s, i) =>
        `<fieldset><legend>${esc(s.label)}</legend>${
          state!.targets
            .filter((t) => t.source === i)
            .map(
              (t) =>
                `<button type="button" class="shoot" data-target="${esc(t.key)}" data-family="${esc(t.family)}" ${state!.armed && t.alive ? '' : 'disabled'}>✛ Shoot ${esc(t.name)}${t.alive ? '' : ' (down)'}</button>`,
            )
            .join(' ') || '<span class="empty">no targets now</span>'
        }</fieldset>`,
    )
    .join('');
  draw();
}

/** Shoots the target with `key` (after the once-per-session confirmation); reports through `say`. */
export async function shoot(key: string, say: (s: string) => void): Promise<void> {
  if (!state?.armed) return say('arm the arcade first');
  const t = state.targets.find((x) => x.key === key);
  const effect = t ? state.sources[t.source]?.effect : undefined;
  if (!confirmed) {
    const what = `${t?.name ?? key}: ${effect ?? 'a real fault'}`;
    if (!confirm(`Shooting injects a real fault through the fault manager (${what}). Go on for this session?`)) return;
    confirmed = true;
  }
  try {
    const r = await api<{ faults: { id: string; target: string }[] }>('/api/arcade/shoot', { target: key });
    say(`shot ${r.faults.map((f) => `${f.target} (${f.id})`).join(', ')}`);
  } catch (err) {
    say((err as Error).message);
  }
  await loadArcade();
}

/** Wires the canvas and the arm switch. */
export function setupArcade(say: (s: string) => void): void {
  const canvas = $<HTMLCanvasElement>('#arena');
  const at = (ev: MouseEvent) => {
    const r = canvas.getBoundingClientRect();
    return {
      x: ((ev.clientX - r.left) * canvas.width) / r.width,
      y: ((ev.clientY - r.top) * canvas.height) / r.height,
    };
  };
  canvas.addEventListener('mousemove', (ev) => {
    aim = at(ev);
    draw();
  });
  canvas.addEventListener('click', (ev) => {
    if (!state) return;
    const p = at(ev);
    const i = state.targets.findIndex((_, k) => {
      const { x, y } = spriteAt(k, state!.targets.length, canvas.width);
      return p.x >= x && p.x <= x + SPRITE.w && p.y >= y && p.y <= y + SPRITE.h;
    });
    if (i >= 0) void shoot(state.targets[i]!.key, say);
  });
  $<HTMLInputElement>('#arm').addEventListener('change', (ev) => {
    const armed = (ev.target as HTMLInputElement).checked;
    void api('/api/arcade/arm', { armed }).then(
      () => loadArcade(),
      (err: Error) => say(err.message),
    );
  });
}
