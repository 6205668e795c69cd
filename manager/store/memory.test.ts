import { storeContract } from './store.contract.js';
import { InMemoryObjectStore } from './memory.js';

storeContract('in memory', async () => {
  const store = new InMemoryObjectStore();
  await store.start();
  return { store, cleanup: () => store.stop() };
});
