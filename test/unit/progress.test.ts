import { createProgress } from '../../src/progress';

function sink(isTTY = false): NodeJS.WritableStream & { isTTY: boolean; text: string } {
  const s = { isTTY, text: '', write: (chunk: string) => ((s.text += chunk), true) };
  return s as unknown as NodeJS.WritableStream & { isTTY: boolean; text: string };
}

describe('progress output', () => {
  test('not on a terminal: one plain line per 10 % and a last line at the end', () => {
    const out = sink();
    const p = createProgress('collect', 3500, { unit: 'accounts', stream: out, now: () => 0, delayMs: 0 });
    for (let i = 0; i < 3500; i++) p.tick();
    p.stop();
    const lines = out.text.trim().split('\n');
    expect(lines[0]).toBe('collect: 1/3500 accounts (0%)');
    expect(lines).toContain('collect: 1400/3500 accounts (40%)');
    expect(lines[lines.length - 1]).toBe('collect: 3500/3500 accounts (100%)');
    expect(lines).toHaveLength(11);
    expect(lines.every((l) => /^collect: \d+\/3500 accounts \(\d+%\)$/.test(l))).toBe(true);
  });

  test('slow work also gets a line every few seconds between the 10 % steps', () => {
    let t = 0;
    const out = sink();
    const p = createProgress('import-audience', 1000, { unit: 'lines', stream: out, now: () => t, delayMs: 0, intervalMs: 5000 });
    p.update(1);
    t += 6000;
    p.update(2);
    t += 1000;
    p.update(3);
    expect(out.text).toBe('import-audience: 1/1000 lines (0%)\nimport-audience: 2/1000 lines (0%)\n');
  });

  test('work that ends within the delay prints nothing', () => {
    let t = 0;
    const out = sink();
    const p = createProgress('compute', 10, { stream: out, now: () => t });
    for (let i = 0; i < 10; i++) p.tick();
    t += 500;
    p.stop();
    expect(out.text).toBe('');
  });

  test('on a terminal: a bar that redraws in place and ends with the total', () => {
    const out = sink(true);
    const p = createProgress('collect', 20, { unit: 'accounts', stream: out, delayMs: 0 });
    for (let i = 0; i < 20; i++) p.tick();
    p.stop();
    expect(out.text).toContain('20/20 accounts (100%)');
    expect(out.text).toContain('\u001b[1G'); // cursor back to the line start: redrawn, not appended
  });
});
