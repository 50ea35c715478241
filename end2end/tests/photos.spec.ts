import * as fs from "fs";
import * as path from "path";
import { expect, test } from "@playwright/test";
import { fixturePhotos, jpegSize, signedUp } from "./helpers";

// The project's own photos in fixtures/photos/: the first three, in name order.
const photos = fixturePhotos(3);

test("upload three photos, open one, delete it", async ({ page }) => {
  await signedUp(page);
  await expect(page.getByText("No photos yet")).toBeVisible();

  await page.locator("#photo-input").setInputFiles(photos);
  await expect(page.getByTestId("upload")).toHaveCount(3);
  await expect(page.getByTestId("upload").filter({ hasText: "Uploaded" })).toHaveCount(3);
  const tiles = page.getByTestId("photo-tile");
  await expect(tiles).toHaveCount(3);
  // the alt text is the caption, whichever is there yet ("Captioning…" or the model's)
  await expect
    .poll(() => tiles.first().evaluate((tile) => tile.querySelector("img")?.alt === tile.querySelector(".caption")?.textContent))
    .toBe(true);
  // the thumbnails really load
  await expect
    .poll(() => tiles.first().getByRole("img").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBeGreaterThan(0);

  await tiles.first().getByRole("link").click();
  await expect(page).toHaveURL(/\/photos\/[0-9a-f]{24}$/);
  // the three uploads run at once, so any of them may be the newest
  const opened = (await page.getByTestId("file-name").textContent()) ?? "";
  expect(photos.map((p) => path.basename(p))).toContain(opened);
  // the fixtures differ in size: the page shows the opened photo's own
  const { width, height } = jpegSize(photos.find((p) => path.basename(p) === opened)!);
  await expect(page.getByText(`${width} x ${height} pixels`)).toBeVisible();
  await expect(page.getByTestId("caption")).toBeVisible();

  const deletedPath = new URL(page.url()).pathname;
  await page.getByText("Delete photo").click();
  await page.getByRole("button", { name: "Delete permanently" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId("photo-tile")).toHaveCount(2);
  await expect(page.locator(`a[href="${deletedPath}"]`)).toHaveCount(0);
});

test("a text file gets an error and nothing is added", async ({ page }) => {
  await signedUp(page);
  await page.locator("#photo-input").setInputFiles({
    name: "notes.jpg",
    mimeType: "image/jpeg",
    buffer: Buffer.from("This is a shopping list, not a photo.\n"),
  });
  const upload = page.getByTestId("upload");
  await expect(upload).toContainText("notes.jpg: This is not a photo we can read");
  await expect(upload.getByRole("alert")).toBeVisible();
  await expect(page.getByText("No photos yet")).toBeVisible();
  await expect(page.getByTestId("photo-tile")).toHaveCount(0);
});

test("another user's photo page says not found", async ({ page, context }) => {
  await signedUp(page);
  await page.locator("#photo-input").setInputFiles(photos[0]);
  await page.getByTestId("photo-tile").first().getByRole("link").click();
  await expect(page).toHaveURL(/\/photos\/[0-9a-f]{24}$/);
  const photoUrl = page.url();

  await context.clearCookies();
  await signedUp(page);
  const response = await page.goto(photoUrl);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
  await expect(page.getByRole("img")).toHaveCount(0);
});

test("drop several photos at once on the upload box", async ({ page }) => {
  await signedUp(page);
  const files = photos.slice(0, 2).map((p) => ({ name: path.basename(p), bytes: [...fs.readFileSync(p)] }));
  const dataTransfer = await page.evaluateHandle((files) => {
    const transfer = new DataTransfer();
    for (const f of files) transfer.items.add(new File([new Uint8Array(f.bytes)], f.name, { type: "image/jpeg" }));
    return transfer;
  }, files);
  await page.locator(".dropzone").dispatchEvent("dragover", { dataTransfer });
  await page.locator(".dropzone").dispatchEvent("drop", { dataTransfer });
  await expect(page.getByTestId("upload").filter({ hasText: "Uploaded" })).toHaveCount(2);
  await expect(page.getByTestId("photo-tile")).toHaveCount(2);
});

test("the gallery pages by cursor with Load more", async ({ page }) => {
  await signedUp(page);
  const bytes = fs.readFileSync(photos[0]);
  const files = Array.from({ length: 25 }, (_, i) => ({ name: `photo-${String(i).padStart(2, "0")}.jpg`, mimeType: "image/jpeg", buffer: bytes }));
  await page.locator("#photo-input").setInputFiles(files);
  await expect(page.getByTestId("upload").filter({ hasText: "Uploaded" })).toHaveCount(25, { timeout: 60_000 });
  await expect(page.getByTestId("photo-tile")).toHaveCount(24);
  await page.getByRole("button", { name: "Load more" }).click();
  await expect(page.getByTestId("photo-tile")).toHaveCount(25);
  await expect(page.getByRole("button", { name: "Load more" })).toHaveCount(0);
});
