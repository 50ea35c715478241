/**
 * Every user-controlled text is escaped in every context it reaches.
 *
 * The corpus below is a list of injection payloads. Each one targets a context where Captioned
 * shows text that a user typed or chose:
 *   - element text (figcaption, gallery caption, "No photos match “…”", the upload list);
 *   - double-quoted attributes (img alt, input value, a download);
 *   - the one raw-text element a caption could land in (the caption editor's <textarea>);
 *   - <title> (the photo page's title is the photo's file name);
 *   - the <script> elements in which Leptos sends the resources' data for hydration (every
 *     caption, file name and error that a server-rendered page has loaded is in one of them);
 *   - the comments with which Leptos marks where hydration resumes;
 *   - and URLs (javascript:), should any text ever become an href or a src.
 * The payloads that would run code set `window.__xss` (one calls alert(), for the dialog
 * check); the others leave an element that the checks look for (`data-injected`, img src=x,
 * svg onload, iframe/a with a javascript: URL). One is already-escaped text, which must be shown
 * as the entities typed and never decoded into a tag. The page's Content-Security-Policy would
 * block most of them from running anyway: the tests therefore look for injected elements and
 * CSP violations too, not only for code that ran.
 *
 * Every payload has single spaces and no spaces at the ends (captions are stored with their
 * spaces collapsed, and the forms trim what is typed) and is at most 200 characters: the
 * search box takes 200, a caption 300, and a file name (the payload plus ".jpg") 255.
 *
 * For each field that carries user text (the photo's own caption, the uploaded file's name,
 * the dashboard's search box, the sign-up username and email) the tests check each page that
 * shows it, both loaded directly (server-rendered, then hydrated) and reached by navigating in
 * the app (rendered in the browser): no dialog opened, `window.__xss` is not set, no element was
 * injected, no script runs the payload, the server's HTML does not carry the payload's markup
 * unescaped, and the text is shown literally where it belongs.
 */
import * as fs from "fs";
import { expect, Page, type Response as PageResponse, test } from "@playwright/test";
import { fillSignUp, fixturePhotos, hydrated, open, signedUp } from "./helpers";

const corpus: string[] = [
  // closes the <textarea> of the caption editor, then an image whose error handler runs
  `</textarea><img src=x onerror="window.__xss=1">`,
  // a plain script element in element text
  `<script>window.__xss=1</script>`,
  // leaves a double-quoted attribute (alt, value, download) and opens an element
  `"><svg onload="window.__xss=1">`,
  // leaves a single-quoted or an unquoted attribute
  `'><img src=x onerror=window.__xss=1>`,
  // a frame whose URL is script
  `<iframe src="javascript:window.__xss=1">`,
  // closes <title> (the photo page's title is its file name)
  `</title><script>window.__xss=1</script>`,
  // closes the <script> that carries the hydration data, and opens one of its own
  `</script><script>window.__xss=1</script>`,
  // a comment: Leptos marks hydration points with comments
  `<!--<img src=x onerror=window.__xss=1>-->`,
  // template syntax and harmless markup: shown as typed, neither evaluated nor rendered
  `{{7*7}}<b data-injected=1>bold</b>`,
  // a javascript: URL as the whole text (dangerous only where text becomes an href or a src)
  `javascript:window.__xss=1`,
  // a link with a javascript: URL
  `<a href="javascript:window.__xss=1" data-injected=1>x</a>`,
  // already escaped: must read "&lt;img…&gt;", not be decoded into an element
  `&lt;img src=x onerror=window.__xss=1&gt;`,
  // an alert, for the dialog check
  `<img src=x onerror=alert(1) data-injected=1>`,
];

/** Elements that only an injected payload would create. */
const injectedElements = [
  "[data-injected]",
  "img[src='x']",
  "svg[onload]",
  "[onload]",
  "[onerror]",
  "iframe[src^='javascript' i]",
  "a[href^='javascript' i]",
].join(", ");

/**
 * Leptos's own inline scripts with the serialized resources (`__RESOLVED_RESOURCES=[…]`,
 * `__SERIALIZED_ERRORS…`): a payload is there legitimately, as data inside a JS string literal,
 * with every `<` written as \u003c.
 */
const leptosData = /^\s*__[A-Z_]+/;

/** The dialogs each page opened (recorded and dismissed). */
const dialogs = new WeakMap<Page, string[]>();

/**
 * Records the page's dialogs and, in every document it loads, the Content-Security-Policy
 * violations: an injected inline script or event handler that the policy blocked still counts.
 */
async function watch(page: Page) {
  const seen: string[] = [];
  dialogs.set(page, seen);
  page.on("dialog", async (dialog) => {
    seen.push(`${dialog.type()}: ${dialog.message()}`);
    await dialog.dismiss().catch(() => {});
  });
  await page.addInitScript(() => {
    const w = window as any;
    w.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      w.__cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI}: ${e.sample}`);
    });
  });
}

test.beforeEach(async ({ page }) => watch(page));

/** Nothing of any payload ran or became markup on the page as it is now. */
async function expectClean(page: Page, where: string, javaScript = true) {
  await expect(page.locator(injectedElements), `${where}: injected elements`).toHaveCount(0);
  const scripts = await page.locator("script").evaluateAll((all) => all.map((s) => s.textContent ?? ""));
  const foreign = scripts.filter((text) => text.includes("__xss") && !leptosData.test(text));
  expect(foreign, `${where}: scripts that carry a payload as code`).toEqual([]);
  // a raw `<` in the hydration data is how a `</script>` would end it early
  const unescaped = scripts.filter((text) => leptosData.test(text) && text.includes("__xss") && text.includes("<"));
  expect(unescaped, `${where}: hydration data with a raw "<"`).toEqual([]);
  expect(dialogs.get(page) ?? [], `${where}: dialogs opened`).toEqual([]);
  if (javaScript) {
    expect(await page.evaluate(() => (window as any).__xss), `${where}: window.__xss`).toBeUndefined();
    const violations: string[] | undefined = await page.evaluate(() => (window as any).__cspViolations);
    expect(violations, `${where}: the CSP violation listener is installed`).toBeDefined();
    expect(
      violations!.filter((v) => /^(script-src|frame-src|child-src|default-src)/.test(v)),
      `${where}: scripts or frames the Content-Security-Policy blocked`,
    ).toEqual([]);
  }
}

/**
 * Loads `url` directly (server-rendered), checks that the server's HTML does not carry any of
 * `texts` that has markup exactly as typed (text, attributes and hydration data all escape
 * `<`), and waits for hydration.
 */
async function load(page: Page, url: string, texts: string[], javaScript = true) {
  const response = await page.goto(url);
  expect(response, `${url}: a response`).not.toBeNull();
  expect(response!.status(), `${url}: status`).toBe(200);
  const html = await response!.text();
  const raw = texts.filter((text) => text.includes("<") && html.includes(text));
  expect(raw, `${url}: user text in the server's HTML with its markup unescaped`).toEqual([]);
  if (javaScript) await hydrated(page);
}

const dashboardLink = (page: Page) => page.locator("header").getByRole("link", { name: "Dashboard", exact: true });
const tileLink = (page: Page) => page.getByTestId("photo-tile").locator(":scope > a");

/** The photo page shows `caption` as its caption, its image's alt text and in the editor. */
async function expectPhotoCaption(page: Page, caption: string, where: string) {
  const figcaption = page.getByTestId("caption");
  await expect(figcaption, where).toHaveText(caption);
  await expectClean(page, where);
  expect(await figcaption.textContent(), `${where}: caption text`).toBe(caption);
  await expect(page.locator("figure.photo-figure > img"), `${where}: alt text`).toHaveAttribute("alt", caption);
  await expect(page.locator("#own-caption"), `${where}: the editor's text`).toHaveValue(caption);
}

/** The dashboard's one tile shows `caption` as its caption and its thumbnail's alt text. */
async function expectTileCaption(page: Page, caption: string, where: string) {
  const tile = page.getByTestId("photo-tile");
  await expect(tile, where).toHaveCount(1);
  await expect(tile.getByTestId("tile-caption"), where).toHaveText(caption);
  await expectClean(page, where);
  expect(await tile.getByTestId("tile-caption").textContent(), `${where}: caption text`).toBe(caption);
  await expect(tile.locator(":scope > a > img"), `${where}: alt text`).toHaveAttribute("alt", caption);
}

/** The search for `query` found the one photo, whose caption is `query` itself: words marked. */
async function expectSearchMatch(page: Page, query: string, where: string) {
  const heading = page.locator(".results-heading");
  await expect(heading, where).toHaveText(`Photos matching “${query}”`);
  await expectTileCaption(page, query, where);
  expect(await heading.textContent(), `${where}: heading text`).toBe(`Photos matching “${query}”`);
  expect(new URL(page.url()).searchParams.get("q"), `${where}: the query in the URL`).toBe(query);
  await expect(page.locator("#search-query"), `${where}: the search box`).toHaveValue(query);
  // the caption is text and <mark>s of its words, nothing else
  const caption = page.getByTestId("tile-caption");
  const children = await caption.evaluate((el) => [...el.children].map((c) => `${c.tagName}/${c.children.length}`));
  expect(children.length, `${where}: marked words`).toBeGreaterThan(0);
  expect(new Set(children), `${where}: only <mark>s of text in the caption`).toEqual(new Set(["MARK/0"]));
}

test.describe("every user-controlled text is escaped in every context", () => {
  test("an own caption is shown as text on the photo page, in the gallery and in search results", async ({ page }) => {
    test.slow(); // each payload saved, then checked on three page loads and three navigations
    await signedUp(page);
    await page.locator("#photo-input").setInputFiles(fixturePhotos(1)[0]);
    const tile = page.getByTestId("photo-tile");
    await expect(tile).toHaveCount(1);
    // The photo page asks for the model's caption until it comes, and then draws the editor
    // again: wait for it, so that the editor is not replaced while a payload is being typed.
    await expect(tile).toHaveAttribute("data-caption-state", /^(done|failed)$/, { timeout: 30_000 });
    await tileLink(page).click();
    await expect(page).toHaveURL(/\/photos\/[0-9a-f]{24}$/);
    const photoPath = new URL(page.url()).pathname;

    for (const payload of corpus) {
      await page.locator("#own-caption").fill(payload);
      await page.getByRole("button", { name: "Save caption" }).click();
      await expectPhotoCaption(page, payload, `photo page after saving ${payload}`);

      await load(page, photoPath, corpus);
      await expectPhotoCaption(page, payload, `photo page loaded with ${payload}`);

      await dashboardLink(page).click();
      await expect(page).toHaveURL(/\/dashboard$/);
      await expectTileCaption(page, payload, `dashboard navigated to with ${payload}`);

      await load(page, "/dashboard", corpus);
      await expectTileCaption(page, payload, `dashboard loaded with ${payload}`);

      await page.locator("#search-query").fill(payload);
      await page.getByRole("button", { name: "Search" }).click();
      await expectSearchMatch(page, payload, `search results navigated to for ${payload}`);

      await load(page, `/dashboard?q=${encodeURIComponent(payload)}`, corpus);
      await expectSearchMatch(page, payload, `search results loaded for ${payload}`);

      await tileLink(page).click();
      await expect(page).toHaveURL(new RegExp(`${photoPath}$`));
      await expectPhotoCaption(page, payload, `photo page navigated to with ${payload}`);
    }
  });

  test("a search query is echoed as text in “No photos match”", async ({ page }) => {
    test.slow(); // each payload searched for twice
    // A new account has no photos: every search finds nothing and echoes its query.
    await signedUp(page);
    const expectNoMatch = async (query: string, where: string) => {
      const heading = page.getByTestId("no-results").locator("h2");
      await expect(heading, where).toHaveText(`No photos match “${query}”`);
      await expectClean(page, where);
      expect(await heading.textContent(), `${where}: heading text`).toBe(`No photos match “${query}”`);
      expect(new URL(page.url()).searchParams.get("q"), `${where}: the query in the URL`).toBe(query);
      await expect(page.locator("#search-query"), `${where}: the search box`).toHaveValue(query);
      await expect(page, `${where}: title`).toHaveTitle("Your photos · Captioned");
    };
    for (const payload of corpus) {
      await page.locator("#search-query").fill(payload);
      await page.getByRole("button", { name: "Search" }).click();
      await expectNoMatch(payload, `search navigated to for ${payload}`);

      await load(page, `/dashboard?q=${encodeURIComponent(payload)}`, corpus);
      await expectNoMatch(payload, `search loaded for ${payload}`);
    }
  });

  test("a file name is shown as text in the upload list, on the photo page and in its title", async ({ page }) => {
    test.slow(); // a photo per payload (and per quoted name), each opened twice
    await signedUp(page);
    const bytes = fs.readFileSync(fixturePhotos(1)[0]);
    const names = corpus.map((payload) => `${payload}.jpg`);
    // Playwright builds these files in the page (new File(bytes, name)), so no file system is
    // involved and even "/" could be in a name. What the browser keeps of each name is what
    // it sends; ask it rather than assume.
    const sent: string[] = await page.evaluate((names) => names.map((name) => new File([], name).name), names);
    // Chromium writes `"` in a multipart file name as %22 (HTML's multipart/form-data encoding,
    // like CR and LF as %0D and %0A), and the server stores what it receives: a name with a
    // quote arrives as %22. The server may keep either form; the page must show what it stored.
    const multipartEscaped = (name: string) => name.replace(/"/g, "%22").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
    const photos: { id: string; name: string }[] = [];

    // Names with a real `"` (what a crafted request can send, multer unescaping \" in a quoted
    // filename): posted from the page like the uploader does, with a hand-written multipart body.
    for (const name of names.filter((n) => n.includes('"'))) {
      const answer = await page.evaluate(
        async ({ name, base64 }) => {
          const boundary = "----captioned-injection-test";
          const head =
            `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name.replace(/"/g, '\\"')}"\r\n` +
            `Content-Type: image/jpeg\r\n\r\n`;
          const body = new Blob([head, Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)), `\r\n--${boundary}--\r\n`]);
          const response = await fetch("/api/photos", {
            method: "POST",
            headers: { "Content-Type": `multipart/form-data; boundary=${boundary}`, Accept: "application/json" },
            body,
          });
          return { status: response.status, body: await response.json() };
        },
        { name, base64: bytes.toString("base64") },
      );
      expect(answer.status, `crafted upload of ${name}: ${JSON.stringify(answer.body)}`).toBe(201);
      expect(answer.body.photo.file_name, "the name stored with its quotes").toBe(name);
      photos.push({ id: answer.body.photo.id, name });
    }

    // Every name through the uploader, one photo each, in one go.
    const answers: Promise<any>[] = [];
    const onResponse = (response: PageResponse) => {
      if (response.request().method() === "POST" && new URL(response.url()).pathname === "/api/photos") {
        answers.push(response.json());
      }
    };
    page.on("response", onResponse);
    await page.locator("#photo-input").setInputFiles(names.map((name) => ({ name, mimeType: "image/jpeg", buffer: bytes })));
    await expect(page.getByTestId("upload").filter({ hasText: "Uploaded" })).toHaveCount(names.length, { timeout: 60_000 });
    await expect.poll(() => answers.length).toBe(names.length);
    page.off("response", onResponse);
    const uploaded: { id: string; file_name: string }[] = (await Promise.all(answers)).map((answer) => answer.photo);
    const storedAs = new Map<string, string>();
    for (const name of sent) {
      const photo = uploaded.find((p) => p.file_name === name || p.file_name === multipartEscaped(name));
      expect(photo, `the upload of ${name} (stored: ${uploaded.map((p) => p.file_name).join(" | ")})`).toBeDefined();
      storedAs.set(name, photo!.file_name);
      photos.push({ id: photo!.id, name: photo!.file_name });
    }
    // the upload list shows each name as the browser has it
    const listed = await page.getByTestId("upload").locator(".upload-name").allTextContents();
    expect([...listed].sort(), "the upload list").toEqual([...sent].sort());
    await expectClean(page, "dashboard after the uploads");

    // The same names on files that are not photos: the error message echoes the name.
    await page.locator("#photo-input").setInputFiles(
      names.map((name) => ({ name, mimeType: "image/jpeg", buffer: Buffer.from("This is not a photo.\n") })),
    );
    await expect(page.locator('[data-testid="upload"].failed')).toHaveCount(names.length, { timeout: 30_000 });
    const errors = await page.locator('[data-testid="upload"].failed .upload-status').allTextContents();
    for (const name of sent) {
      const expected = `${storedAs.get(name)}: This is not a photo we can read`;
      expect(errors.filter((e) => e.startsWith(expected)), `the error for ${name}`).toHaveLength(1);
    }
    await expectClean(page, "dashboard after the refused uploads");

    const texts = [...corpus, ...photos.map((p) => p.name)];
    await load(page, "/dashboard", texts);
    await expect(page.getByTestId("photo-tile")).toHaveCount(photos.length);
    await expectClean(page, "dashboard loaded with every file name");

    const expectFileName = async (name: string, where: string) => {
      const shown = page.getByTestId("file-name");
      await expect(shown, where).toHaveText(name);
      await expectClean(page, where);
      expect(await shown.textContent(), `${where}: file name`).toBe(name);
      await expect(page, `${where}: title`).toHaveTitle(`${name} · Captioned`);
      await expect(page.getByRole("link", { name: "Download the original" }), `${where}: download name`).toHaveAttribute(
        "download",
        name,
      );
    };
    for (const photo of photos) {
      await page.locator(`a[href="/photos/${photo.id}"]`).click();
      await expect(page).toHaveURL(new RegExp(`/photos/${photo.id}$`));
      await expectFileName(photo.name, `photo page navigated to for ${photo.name}`);

      await load(page, `/photos/${photo.id}`, texts);
      await expectFileName(photo.name, `photo page loaded for ${photo.name}`);

      await dashboardLink(page).click();
      await expect(page).toHaveURL(/\/dashboard$/);
      await expect(page.getByTestId("photo-tile")).toHaveCount(photos.length);
      await expectClean(page, `dashboard navigated to from ${photo.name}`);

      // and the download's header: one quoted name, quotes and backslashes replaced
      const original = await page.request.get(`/media/${photo.id}/original`);
      expect(original.status()).toBe(200);
      expect(original.headers()["content-disposition"], `download header for ${photo.name}`).toBe(
        `inline; filename="${photo.name.replace(/["\\]/g, "_")}"`,
      );
    }
  });

  test("a payload typed as a username or an email is refused, and echoed back as text", async ({ page, browser }) => {
    test.slow(); // each payload posted twice, and its answer loaded once more
    // Usernames are ASCII letters, digits, '.', '_' and '-' only, so no payload can become one:
    // the form must refuse it with a message, and show what was typed back as text.
    const password = "a-good-password-1";
    // The browser stops a person at the username field's maxlength (30); a crafted request
    // does not, so the field's limit is lifted before typing.
    const typeAnything = (p: Page) => p.locator("#signup-username").evaluate((input) => input.removeAttribute("maxlength"));
    const expectRefused = async (p: Page, payload: string, where: string, javaScript = true) => {
      await expect(p.locator("#username-error"), where).toHaveText(
        /^Username (must be at (least|most) \d+ characters|may contain only)/,
      );
      await expect(p.locator("#email-error"), where).toContainText("valid email address");
      await expectClean(p, where, javaScript);
      for (const id of ["#username-error", "#email-error"]) {
        expect(await p.locator(id).evaluate((el) => el.children.length), `${where}: ${id} is text`).toBe(0);
      }
      await expect(p.getByLabel("Username"), `${where}: username typed`).toHaveValue(payload);
      await expect(p.getByLabel("Email"), `${where}: email typed`).toHaveValue(payload);
    };

    // A second browser without JavaScript: its forms are plain posts, which the server answers
    // with the page again, the errors in its URL (…?__err=…).
    const noScripts = await browser.newContext({ baseURL: test.info().project.use.baseURL, javaScriptEnabled: false });
    try {
      const plain = await noScripts.newPage();
      await watch(plain);
      for (const payload of corpus) {
        const typed = { username: payload, email: payload, password };

        await open(page, "/signup");
        await typeAnything(page);
        await fillSignUp(page, typed);
        await expectRefused(page, payload, `sign-up answered in place for ${payload}`);
        await expect(page).toHaveURL(/\/signup$/);

        await open(plain, "/signup", false);
        await typeAnything(plain);
        await fillSignUp(plain, typed);
        await expect(plain).toHaveURL(/\/signup\?.*__err=/);
        await expectRefused(plain, payload, `sign-up posted without JavaScript for ${payload}`, false);

        // the server's answer once more, in a browser that runs scripts: rendered, then hydrated
        await load(page, plain.url(), corpus);
        await expectRefused(page, payload, `sign-up answer loaded with JavaScript for ${payload}`);
      }
    } finally {
      await noScripts.close();
    }
  });

  test("a shared photo's caption and its owner's name and bio are text on Explore, the profile, the photo page and in its preview", async ({
    page,
    browser,
  }) => {
    test.slow(); // each payload saved twice, then three pages loaded by a visitor
    const account = await signedUp(page);
    await page.locator("#photo-input").setInputFiles(fixturePhotos(1)[0]);
    const tile = page.getByTestId("photo-tile");
    await expect(tile).toHaveAttribute("data-caption-state", /^(done|failed)$/, { timeout: 30_000 });
    await tileLink(page).click();
    await expect(page).toHaveURL(/\/photos\/[0-9a-f]{24}$/);
    const photoPath = new URL(page.url()).pathname;
    await page.getByLabel("Who can see this photo").selectOption("public");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect(page.getByTestId("visibility")).toContainText("Public");

    const visitorContext = await browser.newContext();
    const visitor = await visitorContext.newPage();
    await watch(visitor);
    try {
      for (const payload of corpus) {
        const name = payload.slice(0, 50).trim(); // a display name is at most 50 characters
        await open(page, photoPath);
        await page.locator("#own-caption").fill(payload);
        await page.getByRole("button", { name: "Save caption" }).click();
        await expect(page.getByTestId("caption")).toHaveText(payload);
        await open(page, "/settings");
        await page.getByLabel("Display name").fill(name);
        await page.getByLabel("Bio").fill(payload);
        await page.getByRole("button", { name: "Save settings" }).click();
        await expect(page.getByTestId("saved")).toBeVisible();
        await load(page, "/settings", corpus);
        await expectClean(page, `settings loaded with ${payload}`);
        await expect(page.getByLabel("Display name")).toHaveValue(name);
        await expect(page.getByLabel("Bio")).toHaveValue(payload);

        await load(visitor, `/u/${account.username}`, corpus);
        await expectClean(visitor, `profile with ${payload}`);
        await expect(visitor.getByTestId("profile-name")).toHaveText(name);
        await expect(visitor.getByTestId("bio")).toHaveText(payload);

        await load(visitor, "/explore", corpus);
        await expectClean(visitor, `explore with ${payload}`);
        const feedTile = visitor.getByTestId("feed-tile").filter({ has: visitor.locator(`a[href="${photoPath}"]`) });
        await expect(feedTile.getByTestId("tile-caption")).toHaveText(payload);
        await expect(feedTile.getByRole("img")).toHaveAttribute("alt", payload);
        await expect(feedTile.getByTestId("owner")).toHaveText(name);

        await load(visitor, photoPath, corpus);
        await expectClean(visitor, `public photo page with ${payload}`);
        await expect(visitor.getByTestId("caption")).toHaveText(payload);
        await expect(visitor.locator("meta[property='og:title']")).toHaveAttribute("content", payload);
        await expect(visitor.locator("meta[name='twitter:image:alt']")).toHaveAttribute("content", payload);
      }
    } finally {
      await visitorContext.close();
    }
  });
});
