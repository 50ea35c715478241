import { expect, Page } from "@playwright/test";

export type Account = { username: string; email: string; password: string };

/** A fresh account for each test: the suite shares one database. */
export function newAccount(): Account {
  const id = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
  return { username: `user_${id}`, email: `${id}@example.com`, password: `pass-${id}-word` };
}

export async function signUp(page: Page, account: Account, confirmation = account.password) {
  await page.goto("/signup");
  await page.getByLabel("Username").fill(account.username);
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password", { exact: true }).fill(account.password);
  await page.getByLabel("Confirm password").fill(confirmation);
  await page.getByRole("button", { name: "Sign up" }).click();
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
