import { expect, Page, test } from "@playwright/test";
import { fixturePhotos, hydrated, logIn, newAccount, open, signedUp, uploadCaptioned } from "./helpers";

const photo = fixturePhotos(10)[3];

/** The header's switcher: a plain form post, then the page comes back in that language. */
async function switchLanguage(page: Page, code: string) {
  await page.getByTestId("language-select").selectOption(code);
  await page.getByTestId("language-form").locator("button[type=submit]").click();
  await expect(page.locator("html")).toHaveAttribute("lang", code);
  await hydrated(page);
}

/** Each language: its code, how its captions are written, and a few of its interface words. */
const languages = [
  {
    name: "Chinese",
    code: "zh",
    dir: "ltr",
    captionScript: /[\u4e00-\u9fff]/,
    dashboard: "我的照片",
    logOut: "退出登录",
    uploaded: /\d{4}年\d{1,2}月\d{1,2}日/,
  },
  {
    name: "German",
    code: "de",
    dir: "ltr",
    captionScript: /^[a-zäöüß ]+$/i,
    dashboard: "Übersicht",
    logOut: "Abmelden",
    uploaded: /\d{1,2}\. [A-Z][a-zä]+\.? \d{4}/,
  },
  {
    name: "Arabic",
    code: "ar",
    dir: "rtl",
    captionScript: /[\u0600-\u06ff]/,
    dashboard: "لوحة التحكم",
    logOut: "تسجيل الخروج",
    uploaded: /[٠-٩]+ [\u0600-\u06ff]+ [٠-٩]{4}/,
  },
];

for (const language of languages) {
  test(`in ${language.name}: switch language, upload, and read the page and the caption in ${language.name}`, async ({
    page,
  }) => {
    const account = await signedUp(page);
    await switchLanguage(page, language.code);
    await expect(page.locator("html")).toHaveAttribute("dir", language.dir);
    await expect(page.getByRole("link", { name: language.dashboard })).toBeVisible();
    await expect(page.getByRole("button", { name: language.logOut })).toBeVisible();
    await expect(page.getByText("Log out")).toHaveCount(0);

    // The photo's caption comes in the reader's language, from that language's model.
    const caption = await uploadCaptioned(page, photo);
    // (without the "Maybe: " of a caption the model is unsure of, itself in the page's language)
    const words = caption.replace(/^(也许：|Vielleicht: |ربما: )/, "");
    expect(words).toMatch(language.captionScript);

    // Search finds it by a word of that caption (Chinese: one character, no spaces needed),
    // and marks the word.
    const word =
      language.code === "zh"
        ? words.match(/[\u4e00-\u9fff]/g)!.at(-1)!
        : words.split(" ").reduce((a, b) => (b.length > a.length ? b : a));
    await page.getByRole("searchbox").fill(word);
    await page.locator("form.search button[type=submit]").click();
    const found = page.getByTestId("tile-caption").first();
    await expect(found).toHaveText(caption);
    await expect(found.locator("mark").first()).toHaveText(word);
    await page.getByTestId("photo-tile").first().getByRole("link").click();
    await expect(page.locator("figure.photo-figure")).toHaveAttribute("lang", language.code);
    await expect(page.getByTestId("caption")).toHaveText(caption);
    // Dates are written as the language writes them.
    await expect(page.locator(".facts")).toContainText(language.uploaded);

    if (language.dir === "rtl") {
      // Mirrored: the brand sits on the right of the header, the menu on its left.
      const brand = await page.locator(".brand").boundingBox();
      const menu = await page.locator(".account-menu").boundingBox();
      expect(brand!.x).toBeGreaterThan(menu!.x);
    }

    // The setting is saved on the account: a fresh browser (no cookies, English) that logs in
    // gets the pages in it again.
    await page.context().clearCookies();
    await open(page, "/login");
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    await logIn(page, account.email, account.password);
    await expect(page).toHaveURL(/\/dashboard$/);
    await expect(page.locator("html")).toHaveAttribute("lang", language.code);
    await expect(page.getByRole("button", { name: language.logOut })).toBeVisible();
  });
}

test.describe("a visitor whose browser asks for German", () => {
  test.use({ locale: "de-DE" });

  test("gets the pages and their messages in German, and English on request", async ({ page }) => {
    await open(page, "/login");
    await expect(page.locator("html")).toHaveAttribute("lang", "de");
    await expect(page.getByRole("link", { name: "Registrieren" })).toBeVisible();
    // An error from the server is said in German too.
    const account = newAccount();
    await page.locator("input[name=email]").fill(account.email);
    await page.locator("input[name=password]").fill(account.password);
    await page.locator("form button[type=submit]").last().click();
    await expect(page.getByRole("alert")).toHaveText("E-Mail-Adresse oder Passwort ist falsch.");

    // The switcher beats the browser's choice.
    await switchLanguage(page, "en");
    await expect(page.getByRole("link", { name: "Sign up" })).toBeVisible();
    await logIn(page, account.email, account.password);
    await expect(page.getByRole("alert")).toHaveText("Incorrect email or password.");
  });
});
