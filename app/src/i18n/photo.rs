//! The photo pages' texts: a photo's own page (its caption, sharing and facts), a photo as others
//! see it, link previews, the "Shared links" page and a share link's page.

use super::formats::{self, Formats};
use crate::photo_view::CaptionFailure;

pub struct PhotoTexts {
    // The owner's photo page.
    pub back_to_photos: &'static str,
    /// Before why the caption could not be written.
    pub caption_reason: &'static str,
    pub caption_failure: fn(CaptionFailure) -> String,
    pub try_again: &'static str,
    pub fact_file: &'static str,
    pub fact_size: &'static str,
    pub fact_uploaded: &'static str,
    /// Width, height, and the file's size already formatted.
    pub pixels_and_size: fn(u32, u32, &str) -> String,
    pub download_original: &'static str,
    pub delete_photo: &'static str,
    pub delete_warning: &'static str,
    pub delete_permanently: &'static str,

    // The caption editor.
    pub model_captions: &'static str,
    pub in_use: &'static str,
    pub in_use_unsure: &'static str,
    pub confirm_caption: &'static str,
    pub use_caption: &'static str,
    /// A suggestion's tooltip, the numbers behind it: mean log-probability per word, the mean of
    /// its least likely words' where the model recorded it, and the beam-search score.
    pub score_explained: fn(f64, Option<f64>, f64) -> String,
    /// Beside a suggestion the model is unsure of that is not in use (the one in use says so in
    /// `in_use_unsure`, until its owner confirms it).
    pub unsure: &'static str,
    pub confident: fn(u32) -> String,
    pub other_languages: &'static str,
    pub your_caption: &'static str,
    pub write_own_caption: &'static str,
    pub caption_placeholder: &'static str,
    pub written_in: &'static str,
    pub save_caption: &'static str,
    pub use_model_caption: &'static str,

    // The sharing panel.
    pub sharing: &'static str,
    pub who_can_see: &'static str,
    pub save: &'static str,
    /// The visibility's label and what it means.
    pub visibility_now: fn(&str, &str) -> String,
    pub share_links: &'static str,
    pub no_active_links: &'static str,
    pub never_ends: &'static str,
    /// A link's end, already formatted.
    pub ends_at: fn(&str) -> String,
    pub link_with_password: &'static str,
    pub views: fn(u64) -> String,
    pub revoke: &'static str,
    pub link_ends_after: &'static str,
    pub link_password: &'static str,
    pub create_link: &'static str,
    pub link_makes_link_only: &'static str,
    pub new_link_label: &'static str,

    // A photo as others see it, and its link preview.
    pub likes: fn(u64) -> String,
    pub like: &'static str,
    pub liked: &'static str,
    /// Before the owner's name.
    pub by: &'static str,
    pub older_photos: &'static str,
    pub preview_title: &'static str,
    /// The caption and the owner's name.
    pub preview_description: fn(&str, &str) -> String,
    pub preview_locked: &'static str,

    // "Shared links".
    pub links_intro: &'static str,
    pub no_links: &'static str,
    pub column_photo: &'static str,
    pub column_link: &'static str,
    pub column_made: &'static str,
    pub column_ends: &'static str,
    pub column_views: &'static str,
    pub row_with_password: &'static str,

    // A share link's page.
    pub shared_photo_title: &'static str,
    pub password_heading: &'static str,
    pub password_hint: &'static str,
    pub password_label: &'static str,
    pub view_photo: &'static str,
}

/// A decimal with three places, as the language writes it.
fn three_places(f: &Formats, x: f64) -> String {
    f.fixed(x, 3)
}

fn caption_failure_en(failure: CaptionFailure) -> String {
    match failure {
        CaptionFailure::CaptionerFailed => "The captioner returned an error on every attempt.",
        CaptionFailure::WorkerStopped => "The captioner stopped while working on this photo, on every attempt.",
    }
    .to_owned()
}
fn pixels_and_size_en(width: u32, height: u32, size: &str) -> String {
    let n = |x: u32| formats::EN.number(u64::from(x));
    format!("{} x {} pixels, {size}", n(width), n(height))
}
fn score_explained_en(per_word: f64, weakest_words: Option<f64>, score: f64) -> String {
    let f = &formats::EN;
    let weakest = weakest_words.map(|w| format!("; its least likely words' mean {}", three_places(f, w)));
    format!(
        "mean log-probability per word {}{}; beam-search score {}",
        three_places(f, per_word),
        weakest.unwrap_or_default(),
        three_places(f, score)
    )
}
fn confident_en(percent: u32) -> String {
    format!("{}% confident", formats::EN.number(u64::from(percent)))
}
fn visibility_now_en(label: &str, explained: &str) -> String {
    format!("{label}: {explained}")
}
fn ends_at_en(at: &str) -> String {
    format!("ends {at}")
}
fn views_en(n: u64) -> String {
    if n == 1 {
        "1 view".to_owned()
    } else {
        format!("{} views", formats::EN.number(n))
    }
}
fn likes_en(n: u64) -> String {
    if n == 1 {
        "1 like".to_owned()
    } else {
        format!("{} likes", formats::EN.number(n))
    }
}
fn preview_description_en(caption: &str, name: &str) -> String {
    format!("{caption} — shared by {name} on Captioned")
}

pub const EN: PhotoTexts = PhotoTexts {
    back_to_photos: "← All photos",
    caption_reason: "Reason: ",
    caption_failure: caption_failure_en,
    try_again: "Try again",
    fact_file: "File",
    fact_size: "Size",
    fact_uploaded: "Uploaded",
    pixels_and_size: pixels_and_size_en,
    download_original: "Download the original",
    delete_photo: "Delete photo",
    delete_warning: "The photo and its caption will be deleted for good.",
    delete_permanently: "Delete permanently",
    model_captions: "The model's captions",
    in_use: "In use",
    in_use_unsure: "In use, unsure",
    confirm_caption: "Confirm this caption",
    use_caption: "Use this caption",
    score_explained: score_explained_en,
    unsure: "Unsure",
    confident: confident_en,
    other_languages: "In other languages",
    your_caption: "Your caption",
    write_own_caption: "Write the caption in your own words",
    caption_placeholder: "What is in this photo?",
    written_in: "Written in",
    save_caption: "Save caption",
    use_model_caption: "Use the model's caption instead",
    sharing: "Sharing",
    who_can_see: "Who can see this photo",
    save: "Save",
    visibility_now: visibility_now_en,
    share_links: "Share links",
    no_active_links: "No active links.",
    never_ends: "never ends",
    ends_at: ends_at_en,
    link_with_password: " · password",
    views: views_en,
    revoke: "Revoke",
    link_ends_after: "Link ends after",
    link_password: "Password (optional)",
    create_link: "Create link",
    link_makes_link_only: "Creating a link makes this photo link-only: anyone with a link can see it.",
    new_link_label: "Your new link (copy it now: it is shown only once)",
    likes: likes_en,
    like: "♡ Like",
    liked: "♥ Liked",
    by: "by ",
    older_photos: "Older photos",
    preview_title: "A photo shared on Captioned",
    preview_description: preview_description_en,
    preview_locked: "This photo is protected by a password.",
    links_intro: "Every link to your photos that still works. Revoke one and it stops working at once.",
    no_links: "You have no active share links. Make one on a photo's page.",
    column_photo: "Photo",
    column_link: "Link",
    column_made: "Made",
    column_ends: "Ends",
    column_views: "Views",
    row_with_password: " (password)",
    shared_photo_title: "A shared photo",
    password_heading: "This photo has a password",
    password_hint: "Whoever shared it with you can tell you the password.",
    password_label: "Password",
    view_photo: "View photo",
};

fn caption_failure_zh(failure: CaptionFailure) -> String {
    match failure {
        CaptionFailure::CaptionerFailed => "描述模型每次尝试都返回了错误。",
        CaptionFailure::WorkerStopped => "描述模型每次处理这张照片时都中途停止了。",
    }
    .to_owned()
}
fn pixels_and_size_zh(width: u32, height: u32, size: &str) -> String {
    let n = |x: u32| formats::ZH.number(u64::from(x));
    format!("{} × {} 像素，{size}", n(width), n(height))
}
fn score_explained_zh(per_word: f64, weakest_words: Option<f64>, score: f64) -> String {
    let f = &formats::ZH;
    let weakest = weakest_words.map(|w| format!("；最不可能的几个词的平均值 {}", three_places(f, w)));
    format!(
        "每词平均对数概率 {}{}；束搜索得分 {}",
        three_places(f, per_word),
        weakest.unwrap_or_default(),
        three_places(f, score)
    )
}
fn confident_zh(percent: u32) -> String {
    format!("置信度 {}%", formats::ZH.number(u64::from(percent)))
}
fn visibility_now_zh(label: &str, explained: &str) -> String {
    format!("{label}：{explained}")
}
fn ends_at_zh(at: &str) -> String {
    format!("{at} 到期")
}
fn views_zh(n: u64) -> String {
    format!("{} 次浏览", formats::ZH.number(n))
}
fn likes_zh(n: u64) -> String {
    format!("{} 个赞", formats::ZH.number(n))
}
fn preview_description_zh(caption: &str, name: &str) -> String {
    format!("{caption} —— {name} 分享于 Captioned")
}

pub const ZH: PhotoTexts = PhotoTexts {
    back_to_photos: "← 全部照片",
    caption_reason: "原因：",
    caption_failure: caption_failure_zh,
    try_again: "重试",
    fact_file: "文件",
    fact_size: "大小",
    fact_uploaded: "上传时间",
    pixels_and_size: pixels_and_size_zh,
    download_original: "下载原图",
    delete_photo: "删除照片",
    delete_warning: "照片及其描述将被永久删除。",
    delete_permanently: "永久删除",
    model_captions: "模型生成的描述",
    in_use: "使用中",
    in_use_unsure: "使用中（不确定）",
    confirm_caption: "确认此描述",
    use_caption: "使用此描述",
    score_explained: score_explained_zh,
    unsure: "不确定",
    confident: confident_zh,
    other_languages: "其他语言",
    your_caption: "你的描述",
    write_own_caption: "用你自己的话写描述",
    caption_placeholder: "这张照片里有什么？",
    written_in: "描述语言",
    save_caption: "保存描述",
    use_model_caption: "改用模型生成的描述",
    sharing: "分享",
    who_can_see: "谁可以看到这张照片",
    save: "保存",
    visibility_now: visibility_now_zh,
    share_links: "分享链接",
    no_active_links: "没有有效的链接。",
    never_ends: "永不过期",
    ends_at: ends_at_zh,
    link_with_password: " · 有密码",
    views: views_zh,
    revoke: "撤销",
    link_ends_after: "链接有效期",
    link_password: "密码（可选）",
    create_link: "创建链接",
    link_makes_link_only: "创建链接后，这张照片的可见范围将变为“仅限链接”：持有链接的任何人都能看到。",
    new_link_label: "你的新链接（请立即复制：它只显示这一次）",
    likes: likes_zh,
    like: "♡ 点赞",
    liked: "♥ 已点赞",
    by: "作者：",
    older_photos: "更早的照片",
    preview_title: "在 Captioned 上分享的照片",
    preview_description: preview_description_zh,
    preview_locked: "这张照片受密码保护。",
    links_intro: "你的照片目前所有有效的链接。撤销某个链接后，它会立即失效。",
    no_links: "你目前没有有效的分享链接。可以在照片页面上创建。",
    column_photo: "照片",
    column_link: "链接",
    column_made: "创建时间",
    column_ends: "到期时间",
    column_views: "浏览次数",
    row_with_password: "（有密码）",
    shared_photo_title: "分享的照片",
    password_heading: "这张照片设有密码",
    password_hint: "与你分享照片的人可以告诉你密码。",
    password_label: "密码",
    view_photo: "查看照片",
};

fn caption_failure_de(failure: CaptionFailure) -> String {
    match failure {
        CaptionFailure::CaptionerFailed => "Das Modell für Bildunterschriften hat bei jedem Versuch einen Fehler gemeldet.",
        CaptionFailure::WorkerStopped => {
            "Das Modell für Bildunterschriften ist bei jedem Versuch mitten in der Arbeit an diesem Foto stehen geblieben."
        }
    }
    .to_owned()
}
fn pixels_and_size_de(width: u32, height: u32, size: &str) -> String {
    let n = |x: u32| formats::DE.number(u64::from(x));
    format!("{} × {} Pixel, {size}", n(width), n(height))
}
fn score_explained_de(per_word: f64, weakest_words: Option<f64>, score: f64) -> String {
    let f = &formats::DE;
    let weakest = weakest_words.map(|w| format!("; Mittel der unwahrscheinlichsten Wörter {}", three_places(f, w)));
    format!(
        "mittlere Log-Wahrscheinlichkeit pro Wort {}{}; Beam-Search-Score {}",
        three_places(f, per_word),
        weakest.unwrap_or_default(),
        three_places(f, score)
    )
}
fn confident_de(percent: u32) -> String {
    format!("{} % sicher", formats::DE.number(u64::from(percent)))
}
fn visibility_now_de(label: &str, explained: &str) -> String {
    format!("{label}: {explained}")
}
fn ends_at_de(at: &str) -> String {
    format!("läuft ab am {at}")
}
fn views_de(n: u64) -> String {
    if n == 1 {
        "1 Aufruf".to_owned()
    } else {
        format!("{} Aufrufe", formats::DE.number(n))
    }
}
fn likes_de(n: u64) -> String {
    if n == 1 {
        "1 Like".to_owned()
    } else {
        format!("{} Likes", formats::DE.number(n))
    }
}
fn preview_description_de(caption: &str, name: &str) -> String {
    format!("{caption} – geteilt von {name} auf Captioned")
}

pub const DE: PhotoTexts = PhotoTexts {
    back_to_photos: "← Alle Fotos",
    caption_reason: "Grund: ",
    caption_failure: caption_failure_de,
    try_again: "Erneut versuchen",
    fact_file: "Datei",
    fact_size: "Größe",
    fact_uploaded: "Hochgeladen",
    pixels_and_size: pixels_and_size_de,
    download_original: "Original herunterladen",
    delete_photo: "Foto löschen",
    delete_warning: "Das Foto und seine Bildunterschrift werden endgültig gelöscht.",
    delete_permanently: "Endgültig löschen",
    model_captions: "Bildunterschriften des Modells",
    in_use: "Wird verwendet",
    in_use_unsure: "Wird verwendet, unsicher",
    confirm_caption: "Diese Bildunterschrift bestätigen",
    use_caption: "Diese Bildunterschrift verwenden",
    score_explained: score_explained_de,
    unsure: "Unsicher",
    confident: confident_de,
    other_languages: "In anderen Sprachen",
    your_caption: "Deine Bildunterschrift",
    write_own_caption: "Schreib die Bildunterschrift mit deinen eigenen Worten",
    caption_placeholder: "Was ist auf diesem Foto zu sehen?",
    written_in: "Sprache",
    save_caption: "Bildunterschrift speichern",
    use_model_caption: "Stattdessen die Bildunterschrift des Modells verwenden",
    sharing: "Teilen",
    who_can_see: "Wer dieses Foto sehen kann",
    save: "Speichern",
    visibility_now: visibility_now_de,
    share_links: "Freigabelinks",
    no_active_links: "Keine aktiven Links.",
    never_ends: "läuft nie ab",
    ends_at: ends_at_de,
    link_with_password: " · mit Passwort",
    views: views_de,
    revoke: "Widerrufen",
    link_ends_after: "Link läuft ab nach",
    link_password: "Passwort (optional)",
    create_link: "Link erstellen",
    link_makes_link_only:
        "Wenn du einen Link erstellst, ist dieses Foto nur noch per Link sichtbar: Alle mit einem Link können es sehen.",
    new_link_label: "Dein neuer Link (kopier ihn jetzt: Er wird nur einmal angezeigt)",
    likes: likes_de,
    like: "♡ Gefällt mir",
    liked: "♥ Gefällt dir",
    by: "von ",
    older_photos: "Ältere Fotos",
    preview_title: "Ein auf Captioned geteiltes Foto",
    preview_description: preview_description_de,
    preview_locked: "Dieses Foto ist durch ein Passwort geschützt.",
    links_intro:
        "Alle Links zu deinen Fotos, die noch funktionieren. Widerrufst du einen, funktioniert er sofort nicht mehr.",
    no_links: "Du hast keine aktiven Freigabelinks. Erstelle einen auf der Seite eines Fotos.",
    column_photo: "Foto",
    column_link: "Link",
    column_made: "Erstellt",
    column_ends: "Läuft ab",
    column_views: "Aufrufe",
    row_with_password: " (mit Passwort)",
    shared_photo_title: "Ein geteiltes Foto",
    password_heading: "Dieses Foto hat ein Passwort",
    password_hint: "Wer es mit dir geteilt hat, kann dir das Passwort sagen.",
    password_label: "Passwort",
    view_photo: "Foto ansehen",
};

fn caption_failure_ar(failure: CaptionFailure) -> String {
    match failure {
        CaptionFailure::CaptionerFailed => "أعاد مولّد الأوصاف خطأً في كل محاولة.",
        CaptionFailure::WorkerStopped => "توقّف مولّد الأوصاف أثناء العمل على هذه الصورة في كل محاولة.",
    }
    .to_owned()
}
fn pixels_and_size_ar(width: u32, height: u32, size: &str) -> String {
    let n = |x: u32| formats::AR.number(u64::from(x));
    format!("{} × {} بكسل، {size}", n(width), n(height))
}
fn score_explained_ar(per_word: f64, weakest_words: Option<f64>, score: f64) -> String {
    let f = &formats::AR;
    let weakest = weakest_words.map(|w| format!("؛ متوسط أقل كلماته احتمالًا {}", three_places(f, w)));
    format!(
        "متوسط لوغاريتم الاحتمال لكل كلمة {}{}؛ درجة البحث الحزمي {}",
        three_places(f, per_word),
        weakest.unwrap_or_default(),
        three_places(f, score)
    )
}
fn confident_ar(percent: u32) -> String {
    format!("ثقة {}٪", formats::AR.number(u64::from(percent)))
}
fn visibility_now_ar(label: &str, explained: &str) -> String {
    format!("{label}: {explained}")
}
fn ends_at_ar(at: &str) -> String {
    format!("ينتهي في {at}")
}
fn views_ar(n: u64) -> String {
    formats::arabic_count(n, "مشاهدة واحدة", "مشاهدتان", "مشاهدات", "مشاهدةً", "مشاهدة")
}
fn likes_ar(n: u64) -> String {
    formats::arabic_count(n, "إعجاب واحد", "إعجابان", "إعجابات", "إعجابًا", "إعجاب")
}
fn preview_description_ar(caption: &str, name: &str) -> String {
    format!("{caption} — شاركها {name} على Captioned")
}

pub const AR: PhotoTexts = PhotoTexts {
    // The page reads right to left: back points right.
    back_to_photos: "→ كل الصور",
    caption_reason: "السبب: ",
    caption_failure: caption_failure_ar,
    try_again: "إعادة المحاولة",
    fact_file: "الملف",
    fact_size: "الحجم",
    fact_uploaded: "تاريخ الرفع",
    pixels_and_size: pixels_and_size_ar,
    download_original: "تنزيل الصورة الأصلية",
    delete_photo: "حذف الصورة",
    delete_warning: "ستُحذف الصورة ووصفها نهائيًا.",
    delete_permanently: "حذف نهائيًا",
    model_captions: "أوصاف النموذج",
    in_use: "قيد الاستخدام",
    in_use_unsure: "قيد الاستخدام، غير مؤكَّد",
    confirm_caption: "تأكيد هذا الوصف",
    use_caption: "استخدام هذا الوصف",
    score_explained: score_explained_ar,
    unsure: "غير متأكَّد منه",
    confident: confident_ar,
    other_languages: "بلغات أخرى",
    your_caption: "وصفك",
    write_own_caption: "اكتب الوصف بكلماتك الخاصة",
    caption_placeholder: "ماذا يوجد في هذه الصورة؟",
    written_in: "لغة الوصف",
    save_caption: "حفظ الوصف",
    use_model_caption: "استخدام وصف النموذج بدلًا من ذلك",
    sharing: "المشاركة",
    who_can_see: "من يمكنه رؤية هذه الصورة",
    save: "حفظ",
    visibility_now: visibility_now_ar,
    share_links: "روابط المشاركة",
    no_active_links: "لا توجد روابط نشطة.",
    never_ends: "لا ينتهي أبدًا",
    ends_at: ends_at_ar,
    link_with_password: " · بكلمة مرور",
    views: views_ar,
    // Not "إلغاء", which reads as "Cancel".
    revoke: "إبطال",
    link_ends_after: "مدة صلاحية الرابط",
    link_password: "كلمة المرور (اختيارية)",
    create_link: "إنشاء رابط",
    link_makes_link_only: "إنشاء رابط يجعل هذه الصورة متاحة بالرابط فقط: يمكن لأي شخص لديه رابط رؤيتها.",
    new_link_label: "رابطك الجديد (انسخه الآن: لن يُعرض إلا مرة واحدة)",
    likes: likes_ar,
    like: "♡ إعجاب",
    liked: "♥ أعجبتك",
    by: "بواسطة ",
    older_photos: "صور أقدم",
    preview_title: "صورة تمت مشاركتها على Captioned",
    preview_description: preview_description_ar,
    preview_locked: "هذه الصورة محمية بكلمة مرور.",
    links_intro: "كل روابط صورك التي لا تزال تعمل. أبطِل أيًّا منها فيتوقف عن العمل فورًا.",
    no_links: "ليست لديك روابط مشاركة نشطة. أنشئ رابطًا من صفحة أي صورة.",
    column_photo: "الصورة",
    column_link: "الرابط",
    column_made: "تاريخ الإنشاء",
    column_ends: "تاريخ الانتهاء",
    column_views: "المشاهدات",
    row_with_password: " (بكلمة مرور)",
    shared_photo_title: "صورة مشارَكة",
    password_heading: "هذه الصورة محمية بكلمة مرور",
    password_hint: "يمكن لمن شاركها معك أن يخبرك بكلمة المرور.",
    password_label: "كلمة المرور",
    view_photo: "عرض الصورة",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_take_each_languages_plural() {
        assert_eq!((EN.likes)(1), "1 like");
        assert_eq!((EN.likes)(0), "0 likes");
        assert_eq!((EN.views)(1), "1 view");
        assert_eq!((DE.views)(3), "3 Aufrufe");
        assert_eq!((ZH.likes)(2), "2 个赞");
        assert_eq!((AR.likes)(2), "إعجابان");
        assert_eq!((AR.likes)(5), "٥ إعجابات");
        assert_eq!((AR.likes)(11), "١١ إعجابًا");
        assert_eq!((AR.likes)(100), "١٠٠ إعجاب");
    }

    #[test]
    fn numbers_in_texts_are_written_the_languages_way() {
        assert_eq!((EN.pixels_and_size)(500, 375, "310 KB"), "500 x 375 pixels, 310 KB");
        assert_eq!(
            (EN.score_explained)(-0.5, None, -2.25),
            "mean log-probability per word -0.500; beam-search score -2.250"
        );
        assert_eq!(
            (EN.score_explained)(-0.5, Some(-2.125), -2.25),
            "mean log-probability per word -0.500; its least likely words' mean -2.125; beam-search score -2.250"
        );
        assert_eq!(
            (DE.score_explained)(-0.5, Some(-2.125), -2.25),
            "mittlere Log-Wahrscheinlichkeit pro Wort -0,500; Mittel der unwahrscheinlichsten Wörter -2,125; Beam-Search-Score -2,250"
        );
        assert_eq!((AR.confident)(87), "ثقة ٨٧٪");
    }
}
