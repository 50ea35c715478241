import * as fs from "fs";
import * as path from "path";
import { expect, Page } from "@playwright/test";

/** The project's own small test photos (see fixtures/photos/README.md): no data set needed. */
export const fixturePhotosDir = path.resolve(__dirname, "../../fixtures/photos");

/**
 * The fixture photos' paths in name order (scene-01.jpg, scene-02.jpg, …): the first `count`
 * of them, failing loudly when there are fewer than a test needs.
 */
export function fixturePhotos(count: number): string[] {
  const all = fs
    .readdirSync(fixturePhotosDir)
    .filter((f) => f.endsWith(".jpg"))
    .sort()
    .map((f) => path.join(fixturePhotosDir, f));
  if (all.length < count) throw new Error(`${fixturePhotosDir} has ${all.length} photos; the test needs ${count}`);
  return all.slice(0, count);
}

/** A JPEG's width and height, read from its frame header (the fixtures come in several sizes). */
export function jpegSize(file: string): { width: number; height: number } {
  const bytes = fs.readFileSync(file);
  let at = 2; // after the start-of-image marker
  while (at + 9 < bytes.length && bytes[at] === 0xff) {
    const marker = bytes[at + 1];
    // SOF0…SOF15 carry the size; 0xC4 (DHT), 0xC8 (JPG) and 0xCC (DAC) share the range but do not
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return { height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7) };
    }
    at += 2 + bytes.readUInt16BE(at + 2);
  }
  throw new Error(`${file}: no JPEG frame header found`);
}

export type Account = { username: string; email: string; password: string };

/** A fresh account for each test: the suite shares one database. */
export function newAccount(): Account {
  const id = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
  return { username: `user_${id}`, email: `${id}@example.com`, password: `pass-${id}-word` };
}

/** Waits until the wasm has hydrated the page, so that forms submit without a page load. */
export async function hydrated(page: Page) {
  await expect(page.locator("body[data-hydrated=true]")).toBeAttached();
}

/** Opens a page; with JavaScript on (the default) also waits for hydration. */
export async function open(page: Page, path: string, javaScript = true) {
  await page.goto(path);
  if (javaScript) await hydrated(page);
}

export async function fillSignUp(page: Page, account: Account, confirmation = account.password) {
  await page.getByLabel("Username").fill(account.username);
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password", { exact: true }).fill(account.password);
  await page.getByLabel("Confirm password").fill(confirmation);
  await page.getByRole("button", { name: "Sign up" }).click();
}

export async function signUp(page: Page, account: Account, javaScript = true) {
  await open(page, "/signup", javaScript);
  await fillSignUp(page, account);
}

export async function logIn(page: Page, email: string, password: string) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

export async function expectDashboard(page: Page, account: Account) {
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("heading", { name: `Hello, ${account.username}!` })).toBeVisible();
  await expect(page.getByTestId("whoami")).toContainText(account.username);
}

/** Signs a new account up and waits for its interactive dashboard. */
export async function signedUp(page: Page): Promise<Account> {
  const account = newAccount();
  await signUp(page, account);
  await expect(page).toHaveURL(/\/dashboard$/);
  await hydrated(page);
  return account;
}

/** Uploads one photo and waits until the model's caption has replaced "Captioning…". */
export async function uploadCaptioned(page: Page, file: string): Promise<string> {
  const tiles = page.getByTestId("photo-tile");
  const before = await tiles.count();
  await page.locator("#photo-input").setInputFiles(file);
  // the new photo's tile, not the newest one before it
  await expect(tiles).toHaveCount(before + 1);
  const tile = tiles.first();
  await expect(tile).toHaveAttribute("data-caption-state", "done", { timeout: 30_000 });
  const caption = (await tile.getByTestId("tile-caption").textContent()) ?? "";
  expect(caption).not.toBe("Captioning…");
  return caption;
}
