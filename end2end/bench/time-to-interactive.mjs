// The dashboard's time to interactive in Chromium: from the start of the navigation until the
// wasm has hydrated the page (`body[data-hydrated]`), for a signed-in user with an empty cache.
// Side by side in one run, in turns: the app's files sent compressed (what the browser accepts:
// brotli), gzipped (the browser asks for gzip only, as browsers do over plain HTTP to anything but
// localhost) and sent whole (it asks for `identity`), on the loopback network as it is and on a
// throttled one. Usage: BASE_URL=http://127.0.0.1:PORT node bench/time-to-interactive.mjs
import { chromium } from "@playwright/test";

const base = process.env.BASE_URL ?? "http://127.0.0.1:3000";
const rounds = Number(process.env.ROUNDS ?? 5);
const networks = [
  { name: "loopback", conditions: null },
  // Chrome DevTools' "Fast 4G" preset: 9 Mbit/s down, 1.5 Mbit/s up, 60 ms added latency.
  {
    name: "fast 4G",
    conditions: { offline: false, latency: 60, downloadThroughput: (9e6 / 8) * 0.9, uploadThroughput: (1.5e6 / 8) * 0.9 },
  },
];
const encodings = ["compressed", "gzip", "whole"];
// What the browser is made to ask for; `compressed` leaves its own Accept-Encoding.
const acceptEncoding = { gzip: "gzip, deflate", whole: "identity" };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking"],
});

// One account, signed up once; each measurement gets a fresh context (no cache) with its cookie.
const setup = await browser.newContext({ baseURL: base });
const user = `tti${Date.now()}`;
const signup = await setup.request.post("/api/signup", {
  headers: { Origin: base },
  form: { username: user, email: `${user}@example.com`, password: "correct horse battery", password_confirmation: "correct horse battery" },
});
if (!signup.ok()) throw new Error(`sign-up failed: ${signup.status()} ${await signup.text()}`);
const cookies = await setup.cookies();
await setup.close();

async function measure(network, encoding) {
  const context = await browser.newContext({ baseURL: base });
  await context.addCookies(cookies);
  await context.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (document.body?.dataset.hydrated === "true") {
        window.__hydratedAt = performance.now();
        observer.disconnect();
      }
    }).observe(document, { attributes: true, subtree: true, attributeFilter: ["data-hydrated"] });
  });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  if (network.conditions) await cdp.send("Network.emulateNetworkConditions", network.conditions);
  if (acceptEncoding[encoding]) {
    await cdp.send("Network.setExtraHTTPHeaders", { headers: { "Accept-Encoding": acceptEncoding[encoding] } });
  }
  await page.goto("/dashboard");
  await page.waitForSelector("body[data-hydrated=true]", { state: "attached", timeout: 120_000 });
  const figures = await page.evaluate(() => {
    const wasm = performance.getEntriesByType("resource").find((e) => e.name.endsWith("/pkg/captioned.wasm"));
    const nav = performance.getEntriesByType("navigation")[0];
    return { interactive: window.__hydratedAt, shown: nav.domContentLoadedEventEnd, wasmBytes: wasm?.transferSize ?? 0 };
  });
  await context.close();
  return figures;
}

const results = new Map();
for (let round = 0; round < rounds; round++) {
  for (const network of networks) {
    for (const encoding of encodings) {
      const key = `${network.name}|${encoding}`;
      if (!results.has(key)) results.set(key, []);
      results.get(key).push(await measure(network, encoding));
    }
  }
}
await browser.close();

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(`dashboard, signed in, empty cache; ${rounds} rounds in turns; medians`);
console.log("network    app files    wasm transferred   page shown (DOMContentLoaded)   interactive (hydrated)");
for (const network of networks) {
  const row = {};
  for (const encoding of encodings) {
    const runs = results.get(`${network.name}|${encoding}`);
    row[encoding] = median(runs.map((r) => r.interactive));
    console.log(
      `${network.name.padEnd(10)} ${encoding.padEnd(12)} ${(median(runs.map((r) => r.wasmBytes)) / 1024).toFixed(0).padStart(7)} KB ${median(runs.map((r) => r.shown)).toFixed(0).padStart(20)} ms ${row[encoding].toFixed(0).padStart(22)} ms`,
    );
  }
  console.log(
    `${network.name.padEnd(10)} time to interactive, compressed / whole: ${(row.compressed / row.whole).toFixed(2)}x, gzip / whole: ${(row.gzip / row.whole).toFixed(2)}x`,
  );
}
