// Time to interactive in Chromium of the dashboard and of a photo's page (the page a shared or
// public photo opens on): from the start of the navigation until the wasm has hydrated the page
// (`body[data-hydrated]`), for a signed-in user with an empty cache. Side by side in one run, in turns: the app's files sent compressed (what the
// browser accepts: brotli), gzipped (the browser asks for gzip only, as browsers do over plain
// HTTP to anything but localhost) and sent whole (it asks for `identity`), on the loopback network
// as it is and on a throttled one; and, when SITES names more than one server (each serving another
// build of the site), each of them in turns too.
// Usage: BASE_URL=http://127.0.0.1:PORT node bench/time-to-interactive.mjs
//        SITES="split=http://127.0.0.1:P1;whole=http://127.0.0.1:P2" node bench/time-to-interactive.mjs
import { chromium } from "@playwright/test";
import { readFileSync } from "node:fs";

const sites = (process.env.SITES ?? `this build=${process.env.BASE_URL ?? "http://127.0.0.1:3000"}`)
  .split(";")
  .map((entry) => {
    const [name, url] = entry.split("=");
    return { name, url };
  });
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
const photoFile = `${process.env.FLICKR8K_DIR ?? "../../shared/flickr8k"}/Images/1000268201_693b08cb0e.jpg`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking"],
});

// On each site one account with one photo, made once; each measurement gets a fresh context (no
// cache) with its cookie.
for (const site of sites) {
  const setup = await browser.newContext({ baseURL: site.url });
  const user = `tti${Date.now()}`;
  const signup = await setup.request.post("/api/signup", {
    headers: { Origin: site.url },
    form: { username: user, email: `${user}@example.com`, password: "correct horse battery", password_confirmation: "correct horse battery" },
  });
  if (!signup.ok()) throw new Error(`${site.name}: sign-up failed: ${signup.status()} ${await signup.text()}`);
  const upload = await setup.request.post("/api/photos", {
    headers: { Origin: site.url },
    multipart: { file: { name: "photo.jpg", mimeType: "image/jpeg", buffer: readFileSync(photoFile) } },
  });
  if (!upload.ok()) throw new Error(`${site.name}: upload failed: ${upload.status()} ${await upload.text()}`);
  site.cookies = await setup.cookies();
  site.paths = { dashboard: "/dashboard", "photo page": `/photos/${(await upload.json()).photo.id}` };
  await setup.close();
}
const pages = ["dashboard", "photo page"];

async function measure(site, pageName, network, encoding) {
  const context = await browser.newContext({ baseURL: site.url });
  await context.addCookies(site.cookies);
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
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  await page.goto(site.paths[pageName]);
  await page.waitForSelector("body[data-hydrated=true]", { state: "attached", timeout: 120_000 }).catch((error) => {
    throw new Error(`${site.name}, ${pageName}, ${network.name}, ${encoding}: not hydrated (${errors.join("; ") || error.message})`);
  });
  const figures = await page.evaluate(() => {
    // every wasm file the page loaded (one, unless the build splits it)
    const wasm = performance.getEntriesByType("resource").filter((e) => e.name.endsWith(".wasm"));
    const nav = performance.getEntriesByType("navigation")[0];
    const wasmBytes = wasm.reduce((sum, e) => sum + e.transferSize, 0);
    return { interactive: window.__hydratedAt, shown: nav.domContentLoadedEventEnd, wasmBytes, wasmFiles: wasm.length };
  });
  await context.close();
  return figures;
}

const key = (...parts) => parts.join("|");
const results = new Map();
for (let round = 0; round < rounds; round++) {
  for (const pageName of pages) {
    for (const network of networks) {
      for (const encoding of encodings) {
        for (const site of sites) {
          const k = key(pageName, network.name, encoding, site.name);
          if (!results.has(k)) results.set(k, []);
          results.get(k).push(await measure(site, pageName, network, encoding));
        }
      }
    }
  }
}
await browser.close();

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const interactive = (...parts) => median(results.get(key(...parts)).map((r) => r.interactive));
console.log(`signed in, empty cache; ${rounds} rounds in turns; medians`);
for (const pageName of pages) {
  console.log(`${pageName}:`);
  console.log("network    app files    site          wasm transferred (files)   page shown (DOMContentLoaded)   interactive (hydrated)");
  for (const network of networks) {
    for (const encoding of encodings) {
      for (const site of sites) {
        const runs = results.get(key(pageName, network.name, encoding, site.name));
        const kb = (median(runs.map((r) => r.wasmBytes)) / 1024).toFixed(0);
        console.log(
          `${network.name.padEnd(10)} ${encoding.padEnd(12)} ${site.name.padEnd(12)} ${kb.padStart(7)} KB (${median(runs.map((r) => r.wasmFiles))}) ${median(runs.map((r) => r.shown)).toFixed(0).padStart(20)} ms ${interactive(pageName, network.name, encoding, site.name).toFixed(0).padStart(22)} ms`,
        );
      }
    }
    for (const site of sites) {
      const at = (encoding) => interactive(pageName, network.name, encoding, site.name);
      console.log(
        `${network.name.padEnd(10)} ${site.name}: time to interactive, compressed / whole: ${(at("compressed") / at("whole")).toFixed(2)}x, gzip / whole: ${(at("gzip") / at("whole")).toFixed(2)}x`,
      );
    }
    for (const site of sites.slice(1)) {
      const ratios = encodings.map(
        (encoding) => `${encoding} ${(interactive(pageName, network.name, encoding, sites[0].name) / interactive(pageName, network.name, encoding, site.name)).toFixed(2)}x`,
      );
      console.log(`${network.name.padEnd(10)} time to interactive, ${sites[0].name} / ${site.name}: ${ratios.join(", ")}`);
    }
  }
}
