import { storeContract } from './store.contract.js';
import { InMemoryObjectStore } from './memory.js';

storeContract('in memory', async () => {
  const store = new InMemoryObjectStore();
  await store.start();
  return {
    store,
    rawPut: async (key: string, value: string) => void (await store.rawPut(key, value)),
    cleanup: () => store.stop(),
  };
});
