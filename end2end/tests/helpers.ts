import { expect, Page } from "@playwright/test";

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
