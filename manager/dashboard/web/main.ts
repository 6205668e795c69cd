// The dashboard page: loads the session, follows the feed (server-sent events: a snapshot, then
// deltas) into the model, and redraws at most once per frame. No polling: the page only listens.
import { loadSession } from './api.js';
import { byId, coalesced } from './dom.js';
import { closeLogs, openLogs } from './logs-view.js';
import { ClusterModel } from './model.js';
import { drawNodes, nodePager } from './nodes-view.js';
import { drawServices, servicePager } from './services-view.js';
import { drawVisualizer } from './visualizer.js';
import type { FeedDelta, FeedSnapshot } from './wire.js';

const model = new ClusterModel();

function notify(message: string): void {
  const el = byId('notice');
  el.textContent = message;
  el.hidden = false;
}

const redraw = coalesced(() => {
  drawNodes(model, redraw, notify);
  drawServices(model, redraw, notify, openLogs);
  drawVisualizer(model);
  const ready = [...model.nodes.values()].filter((n) => n.state === 'ready').length;
  byId('summary').textContent =
    `${model.nodes.size} nodes (${ready} ready) · ${model.services.size} services · ` +
    `${[...model.tasks.values()].filter((t) => t.state === 'running').length} tasks running`;
  document.body.dataset.loaded = 'true';
});

function follow(): void {
  const source = new EventSource('/dashboard/api/feed');
  source.addEventListener('snapshot', (e) => {
    model.load(JSON.parse((e as MessageEvent<string>).data) as FeedSnapshot);
    byId('live').textContent = 'live';
    redraw();
  });
  source.addEventListener('delta', (e) => {
    model.apply(JSON.parse((e as MessageEvent<string>).data) as FeedDelta);
    redraw();
  });
  // EventSource reconnects by itself and the manager starts it over with a snapshot.
  source.onerror = () => (byId('live').textContent = 'reconnecting…');
}

function wireFilters(): void {
  byId<HTMLInputElement>('node-filter').addEventListener('input', (e) => {
    nodePager.filter = (e.target as HTMLInputElement).value;
    nodePager.page = 0;
    redraw();
  });
  byId<HTMLInputElement>('service-filter').addEventListener('input', (e) => {
    servicePager.filter = (e.target as HTMLInputElement).value;
    servicePager.page = 0;
    redraw();
  });
  byId('logs-close').addEventListener('click', closeLogs);
}

async function start(): Promise<void> {
  wireFilters();
  try {
    const s = await loadSession();
    byId('actor').textContent = `admin ${s.actor.slice(0, 12)}`;
  } catch (e) {
    notify((e as Error).message);
    return;
  }
  follow();
}

void start();
