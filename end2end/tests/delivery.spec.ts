/**
 * The app's own files travel compressed. The release build writes a brotli and a gzip copy beside
 * each of them (`cargo leptos build --release --precompress`), and the server sends the one the
 * browser accepts: the wasm, the largest thing a visitor downloads, shrinks to about a quarter.
 */
import { expect, test } from "@playwright/test";
import { open } from "./helpers";

const files = [
  { path: "/pkg/captioned.wasm", type: "application/wasm" },
  { path: "/pkg/captioned.js", type: "text/javascript" },
  { path: "/pkg/captioned.css", type: "text/css" },
];

for (const file of files) {
  test(`${file.path} comes as brotli or gzip when accepted, and whole otherwise`, async ({ request }) => {
    const whole = await request.get(file.path, { headers: { "Accept-Encoding": "identity" } });
    expect(whole.status()).toBe(200);
    expect(whole.headers()["content-encoding"]).toBeUndefined();
    const body = await whole.body();

    for (const encoding of ["br", "gzip"]) {
      const compressed = await request.get(file.path, { headers: { "Accept-Encoding": encoding } });
      expect(compressed.status()).toBe(200);
      expect(compressed.headers()["content-encoding"]).toBe(encoding);
      expect(compressed.headers()["content-type"]).toContain(file.type);
      // A cache between the two must not hand one client's encoding to another.
      expect(compressed.headers()["vary"]).toMatch(/accept-encoding/i);
      // Sent compressed, the same file once decoded.
      expect(Number(compressed.headers()["content-length"])).toBeLessThan(body.length / 2);
      expect((await compressed.body()).equals(body)).toBe(true);
    }
  });
}

test("the browser loads the app's code as brotli and the page becomes interactive", async ({ page }) => {
  const wasm = page.waitForResponse((response) => response.url().endsWith("/pkg/captioned.wasm"));
  await open(page, "/explore");
  expect(await (await wasm).headerValue("content-encoding")).toBe("br");
});
