/**
 * The arcade view: targets as sprites on a canvas (and as buttons, for the keyboard). Nothing fires until the
 * player arms it (the blast radius is shown then); the first shot of the session asks for confirmation. Shots go
 * to the server, which injects `process.kill` through the fault manager (ledger, blast radius, revert).
 */
import { api } from './api.js';

interface Target {
  name: string;
  pid: number | null;
  alive: boolean;
}
interface ArcadeState {
  armed: boolean;
  targets: Target[];
  blastRadius: {
    targets: string[];
    kind: string;
    maxTargetsPerShot: number;
    maxConcurrentFaults: number;
    downFor: string;
  };
  active: { id: string; target: string }[];
}

const $ = <T extends HTMLElement = HTMLElement>(sel: string) => document.querySelector<T>(sel)!;
let state: ArcadeState | undefined;
let confirmed = false;
let aim = { x: -100, y: -100 };
const SPRITE = { w: 120, h: 110, gap: 40, top: 90 };

const spriteX = (i: number, n: number, width: number) =>
  (width - (n * SPRITE.w + (n - 1) * SPRITE.gap)) / 2 + i * (SPRITE.w + SPRITE.gap);

function draw(): void {
  const canvas = $<HTMLCanvasElement>('#arena');
  const ctx = canvas.getContext('2d');
  if (!ctx || !state) return;
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
    const x = spriteX(i, state!.targets.length, canvas.width);
    const y = SPRITE.top;
    ctx.strokeStyle = t.alive ? fg : bad;
    ctx.lineWidth = 2;
    ctx.setLineDash(t.alive ? [] : [5, 4]);
    ctx.strokeRect(x, y, SPRITE.w, SPRITE.h - 30);
    ctx.setLineDash([]);
    // A little server with blinking lights when alive, a cross when down (shape, not colour, tells).
    if (t.alive) {
      for (let r = 0; r < 3; r++) ctx.fillRect(x + 14, y + 14 + r * 18, SPRITE.w - 28, 8);
    } else {
      ctx.beginPath();
      ctx.moveTo(x + 10, y + 10);
      ctx.lineTo(x + SPRITE.w - 10, y + SPRITE.h - 40);
      ctx.moveTo(x + SPRITE.w - 10, y + 10);
      ctx.lineTo(x + 10, y + SPRITE.h - 40);
      ctx.stroke();
    }
    ctx.fillStyle = fg;
    ctx.fillText(t.name, x + SPRITE.w / 2, y + SPRITE.h - 12);
    ctx.fillText(t.alive ? `pid ${t.pid}` : 'DOWN', x + SPRITE.w / 2, y + SPRITE.h + 6);
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
    `Blast radius: ${b.kind} on one of ${b.targets.join(', ')}; at most ${b.maxTargetsPerShot} target per shot and ` +
    `${b.maxConcurrentFaults} down at once; each is restarted after ${b.downFor} (or on Revert).`;
  $('#shoot-buttons').innerHTML = state.targets
    .map(
      (t) =>
        `<button type="button" class="shoot" data-target="${t.name}" ${state!.armed && t.alive ? '' : 'disabled'}>✛ Shoot ${t.name}</button>`,
    )
    .join(' ');
  draw();
}

/** Shoots `name` (after the once-per-session confirmation); reports through `say`. */
export async function shoot(name: string, say: (s: string) => void): Promise<void> {
  if (!state?.armed) return say('arm the arcade first');
  if (!confirmed) {
    if (
      !confirm(
        `Shooting kills a real process (${name}) with SIGKILL through the fault manager. Go on for this session?`,
      )
    )
      return;
    confirmed = true;
  }
  try {
    const r = await api<{ faults: { id: string; target: string }[] }>('/api/arcade/shoot', { target: name });
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
      const x = spriteX(k, state!.targets.length, canvas.width);
      return p.x >= x && p.x <= x + SPRITE.w && p.y >= SPRITE.top && p.y <= SPRITE.top + SPRITE.h;
    });
    if (i >= 0) void shoot(state.targets[i]!.name, say);
  });
  $<HTMLInputElement>('#arm').addEventListener('change', (ev) => {
    const armed = (ev.target as HTMLInputElement).checked;
    void api('/api/arcade/arm', { armed }).then(
      () => loadArcade(),
      (err: Error) => say(err.message),
    );
  });
}
