import { it } from 'vitest';
import { MemoryObjectStore } from '../src/storage/memory-store.js';
import { Syndicator } from '../src/syndicator.js';
import { memoryLogger } from '../src/log.js';
import { makeArticle, makeSite } from './helpers.js';
import { type Gate, GatedStore, on } from './support/gated-store.js';
it('dbg', async () => {
  const inner = new MemoryObjectStore();
  const store = new GatedStore(inner);
  const s = new Syndicator(store, { site: makeSite({ archives: true, limits: { items: 1 } }), feedPrefix: 'feeds/', cacheControl: 'x', slack: 0 }, memoryLogger());
  const arts = Array.from({ length: 6 }, (_, i) => makeArticle({ id: `f${i}`, url: `https://news.test.example/a/f${i}`, published: new Date(Date.UTC(2023, 8 + i, 2)).toISOString(), updated: new Date(Date.UTC(2023, 8 + i, 2)).toISOString(), section: 'World' }));
  const gates: Gate[] = Array.from({ length: 40 }, () => store.hold(on('get', 'state/')));
  const rel = (async () => { while (!arts.every(a => inner.objects.has(`articles/${a.id}.json`))) await new Promise<void>(r => setImmediate(r)); console.log('released; markers', [...inner.objects.keys()].filter(k => k.startsWith('index/')).length, 'states', [...inner.objects.keys()].filter(k => k.startsWith('state/')).length); for (const g of gates) g.release(); })();
  await Promise.all([...arts.map((a) => s.publishArticle(a)), rel]);
  const x = JSON.parse(inner.objects.get('state/site/state.json')!.body.toString());
  console.log(JSON.stringify({ ...x, items: x.items.map((i: any) => i.id), files: 0 }));
  console.log(store.calls.filter(c => c.key.startsWith('state/site/state') || c.key.startsWith('index/site')).map(c => c.op + ' ' + c.key).slice(0, 30).join('\n'));
});
