import { expect, Page, test } from "@playwright/test";
import { fixturePhotos, hydrated, open, signedUp, uploadCaptioned } from "./helpers";

const photos = fixturePhotos(3);

/** Opens the newest photo of the gallery and returns its path. */
async function openNewestPhoto(page: Page): Promise<string> {
  await page.getByTestId("photo-tile").first().getByRole("link").click();
  await expect(page).toHaveURL(/\/photos\/[0-9a-f]{24}$/);
  await hydrated(page);
  return new URL(page.url()).pathname;
}

async function setVisibility(page: Page, label: string, value: string) {
  await page.getByLabel("Who can see this photo").selectOption(value);
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByTestId("visibility")).toContainText(label);
}

/** The `content` of a `<meta property|name=…>` in served HTML. */
function metaContent(html: string, key: string): string | undefined {
  const tag = html.match(new RegExp(`<meta[^>]*(?:property|name)="${key}"[^>]*>`))?.[0];
  return tag?.match(/content="([^"]*)"/)?.[1];
}

test("a photo made public is on Explore and the profile for a visitor, with its caption as preview", async ({
  page,
  browser,
}) => {
  const account = await signedUp(page);
  const caption = await uploadCaptioned(page, photos[0]);
  await expect(page.getByTestId("visibility-badge").first()).toHaveText("Private");
  const photoPath = await openNewestPhoto(page);
  await setVisibility(page, "Public", "public");

  const visitorContext = await browser.newContext();
  const visitor = await visitorContext.newPage();
  await open(visitor, "/explore");
  const tile = visitor.getByTestId("feed-tile").filter({ has: visitor.locator(`a[href="${photoPath}"]`) });
  await expect(tile).toBeVisible();
  await expect(tile.getByRole("img")).toHaveAttribute("alt", caption);
  await expect
    .poll(() => tile.getByRole("img").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBeGreaterThan(0);
  await tile.getByTestId("owner").click();
  await expect(visitor).toHaveURL(new RegExp(`/u/${account.username}$`));
  await expect(visitor.getByTestId("profile-name")).toHaveText(account.username);
  await expect(visitor.locator(`a[href="${photoPath}"]`)).toBeVisible();

  // the public photo page: caption as alt text, no original, no file name
  await open(visitor, photoPath);
  await expect(visitor.getByTestId("public-photo").getByRole("img", { name: caption })).toBeVisible();
  await expect(visitor.getByText("Download the original")).toHaveCount(0);

  // the served HTML carries the link-preview tags a chat app reads
  const html = await (await visitorContext.request.get(photoPath)).text();
  expect(metaContent(html, "og:title")).toBe(caption);
  expect(metaContent(html, "twitter:card")).toBe("summary_large_image");
  expect(metaContent(html, "og:image")).toMatch(new RegExp(`^http://[^/]+/media/[0-9a-f]{24}/display$`));
  await visitorContext.close();
});

test("a link with a password opens for a visitor until it is revoked", async ({ page, browser }) => {
  await signedUp(page);
  const caption = await uploadCaptioned(page, photos[1]);
  await openNewestPhoto(page);
  await page.getByLabel("Link ends after").selectOption("7d");
  await page.getByLabel("Password (optional)").fill("open sesame");
  await page.getByRole("button", { name: "Create link" }).click();
  await expect(page.getByTestId("new-link")).toHaveValue(/\/s\/[A-Za-z0-9_-]{43}$/);
  const link = await page.getByTestId("new-link").inputValue();
  await expect(page.getByTestId("visibility")).toContainText("Link only");

  const visitorContext = await browser.newContext();
  const visitor = await visitorContext.newPage();
  await open(visitor, link);
  await expect(visitor.getByRole("heading", { name: "This photo has a password" })).toBeVisible();
  await expect(visitor.getByText(caption)).toHaveCount(0);
  await visitor.getByLabel("Password", { exact: true }).fill("wrong guess");
  await visitor.getByRole("button", { name: "View photo" }).click();
  await expect(visitor.getByTestId("unlock-error")).toHaveText("That password is not right.");
  await visitor.getByLabel("Password", { exact: true }).fill("open sesame");
  await visitor.getByRole("button", { name: "View photo" }).click();
  const shown = visitor.getByTestId("public-photo").getByRole("img", { name: caption });
  await expect(shown).toBeVisible();
  await expect.poll(() => shown.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);

  // the owner's "Shared links" page lists it with its views, and revokes it
  await open(page, "/links");
  const row = page.getByTestId("share-link");
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId("link-views")).not.toHaveText("0");
  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByTestId("no-links")).toBeVisible();

  const again = await visitor.goto(link);
  expect(again?.status()).toBe(404);
  await expect(visitor.getByRole("heading", { name: "Not found" })).toBeVisible();
  await visitorContext.close();
});

test("several photos change visibility at once from the gallery", async ({ page }) => {
  await signedUp(page);
  await page.locator("#photo-input").setInputFiles(photos);
  const tiles = page.getByTestId("photo-tile");
  await expect(tiles).toHaveCount(3);
  await expect(page.getByTestId("visibility-badge").filter({ hasText: "Private" })).toHaveCount(3);

  await tiles.nth(0).getByTestId("select-photo").check();
  await tiles.nth(2).getByTestId("select-photo").check();
  await expect(page.getByTestId("selection-bar")).toContainText("2 selected");
  await page.getByTestId("bulk-visibility").selectOption("public");
  await page.getByRole("button", { name: "Set visibility" }).click();
  await expect(page.getByTestId("selection-bar")).toHaveCount(0);
  await expect(tiles.nth(0).getByTestId("visibility-badge")).toHaveText("Public");
  await expect(tiles.nth(1).getByTestId("visibility-badge")).toHaveText("Private");
  await expect(tiles.nth(2).getByTestId("visibility-badge")).toHaveText("Public");

  // and so it stays after a reload, rendered by the server
  await page.reload();
  await expect(page.getByTestId("visibility-badge").filter({ hasText: "Public" })).toHaveCount(2);
});

test("like a public photo, find it under Liked, unlike it", async ({ page, browser }) => {
  await signedUp(page);
  await page.locator("#photo-input").setInputFiles(photos[2]);
  await expect(page.getByTestId("photo-tile")).toHaveCount(1);
  const photoPath = await openNewestPhoto(page);
  await setVisibility(page, "Public", "public");

  const fanContext = await browser.newContext();
  const fan = await fanContext.newPage();
  await signedUp(fan);
  await open(fan, photoPath);
  const like = fan.getByTestId("like-button");
  await expect(fan.getByTestId("likes")).toHaveText("0 likes");
  await like.click();
  await expect(like).toHaveText("♥ Liked");
  await expect(fan.getByTestId("likes")).toHaveText("1 like");

  await open(fan, "/dashboard?tab=liked");
  await expect(fan.locator(`[data-testid=feed-tile] a[href="${photoPath}"]`)).toBeVisible();
  await fan.locator(`[data-testid=feed-tile] a[href="${photoPath}"]`).click();
  await expect(fan).toHaveURL(new RegExp(`${photoPath}$`));
  await fan.getByTestId("like-button").click();
  await expect(fan.getByTestId("likes")).toHaveText("0 likes");
  await open(fan, "/dashboard?tab=liked");
  await expect(fan.getByTestId("feed-empty")).toBeVisible();

  // the owner sees the count on the photo page after the like and unlike
  await page.reload();
  await expect(page.getByTestId("sharing")).toContainText("0 likes");
  await fanContext.close();
});
