// Every action waits for a confirmation in a modal dialog that says exactly what will happen;
// an optional number field (scale) is read from the same dialog.
import { byId } from './dom.js';

export function confirmAction(
  text: string,
  opts: { number?: number } = {},
): Promise<{ ok: boolean; number?: number }> {
  const dialog = byId<HTMLDialogElement>('confirm');
  const input = byId<HTMLInputElement>('confirm-number');
  byId('confirm-text').textContent = text;
  input.hidden = opts.number === undefined;
  if (opts.number !== undefined) input.value = String(opts.number);
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener(
      'close',
      () =>
        resolve({
          ok: dialog.returnValue === 'ok',
          number: opts.number === undefined ? undefined : Number(input.value),
        }),
      { once: true },
    );
  });
}
