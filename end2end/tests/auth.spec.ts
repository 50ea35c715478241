import { expect, Page, test } from "@playwright/test";
import { expectDashboard, fillSignUp, logIn, newAccount, open, signUp } from "./helpers";

/** A new account, logged out again: the header offers to log in. */
async function signUpAndLogOut(page: Page) {
  const account = newAccount();
  await signUp(page, account);
  await expectDashboard(page, account);
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page.locator("header").getByRole("link", { name: "Log in" })).toBeVisible();
  return account;
}

test("sign up and land on the dashboard", async ({ page }) => {
  const account = newAccount();
  await signUp(page, account);
  await expectDashboard(page, account);
  await expect(page.getByText("No photos yet")).toBeVisible();
});

test("log out and be sent away from the dashboard", async ({ page }) => {
  const account = newAccount();
  await signUp(page, account);
  await expectDashboard(page, account);
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator("header").getByRole("link", { name: "Log in" })).toBeVisible();
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/login\?next=%2Fdashboard|\/login\?next=\/dashboard/);
});

test("log in again", async ({ page }) => {
  const account = await signUpAndLogOut(page);
  await open(page, "/login");
  // the email is matched case-insensitively
  await logIn(page, account.email.toUpperCase(), account.password);
  await expectDashboard(page, account);
});

test("a wrong password gets a message, and so does an unknown email", async ({ page }) => {
  const account = await signUpAndLogOut(page);

  await open(page, "/login");
  await logIn(page, account.email, "not-the-password");
  await expect(page.getByTestId("form-error")).toHaveText("Incorrect email or password.");
  await expect(page).toHaveURL(/\/login/);

  await open(page, "/login");
  await logIn(page, `nobody-${account.email}`, account.password);
  await expect(page.getByTestId("form-error")).toHaveText("Incorrect email or password.");
});

test("a duplicate email gets a message next to the field and keeps what was typed", async ({ page, context }) => {
  const first = newAccount();
  await signUp(page, first);
  await expectDashboard(page, first);
  await context.clearCookies();

  const second = { ...newAccount(), email: first.email };
  await signUp(page, second);
  await expect(page.locator("#email-error")).toContainText("already exists");
  // answered in place by the hydrated page, not by a reload
  expect(page.url()).not.toContain("__err");
  await expect(page.getByLabel("Username")).toHaveValue(second.username);
  await expect(page.getByLabel("Email")).toHaveValue(second.email);
  await expect(page).toHaveURL(/\/signup/);
});

test("bad sign-up input gets a message per field", async ({ page }) => {
  const account = { ...newAccount(), email: "not-an-email" };
  await open(page, "/signup");
  await fillSignUp(page, { ...account, password: "short" }, "different");
  await expect(page.locator("#email-error")).toContainText("valid email");
  await expect(page.locator("#password-error")).toContainText("at least 8");
  await expect(page.locator("#confirmation-error")).toContainText("do not match");
  await expect(page.getByLabel("Username")).toHaveValue(account.username);
});

test("opening the dashboard without a session leads to the log-in page, and back", async ({ page }) => {
  const account = newAccount();
  await signUp(page, account);
  await expectDashboard(page, account);
  await page.context().clearCookies();

  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/login\?next=/);
  await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
  await logIn(page, account.email, account.password);
  await expectDashboard(page, account);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the forms still work as plain form posts", async ({ page }) => {
    const account = newAccount();
    await signUp(page, account, false);
    await expectDashboard(page, account);

    await page.getByRole("button", { name: "Log out" }).click();
    await expect(page.locator("header").getByRole("link", { name: "Log in" })).toBeVisible();

    await open(page, "/login", false);
    await logIn(page, account.email, "wrong-password");
    await expect(page.getByTestId("form-error")).toHaveText("Incorrect email or password.");
    await expect(page.getByLabel("Email")).toHaveValue(account.email);

    await logIn(page, account.email, account.password);
    await expectDashboard(page, account);
  });
});
