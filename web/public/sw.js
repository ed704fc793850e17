// Keeps the lab usable offline once it has been loaded: the build's files are
// cached at install (precache.json lists them) and served from the cache first.
const CACHE = "credsim-lab-v1";

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const list = await (await fetch("./precache.json", { cache: "no-store" })).json();
      const cache = await caches.open(CACHE);
      await cache.addAll(["./", ...list.files.map((f) => `./${f}`)]);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      const cached = await cache.match(request, { ignoreSearch: true });
      if (cached) return cached;
      try {
        return await fetch(request);
      } catch (e) {
        if (request.mode === "navigate") {
          const shell = await cache.match("./");
          if (shell) return shell;
        }
        throw e;
      }
    })(),
  );
});
