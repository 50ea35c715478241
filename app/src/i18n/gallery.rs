//! The texts of the dashboard (gallery, uploads, search) and of Explore.

use super::formats;

pub struct GalleryTexts {
    // The dashboard.
    /// The `<title>` of the dashboard.
    pub dashboard_title: &'static str,
    /// The greeting, with the user's name.
    pub hello: fn(&str) -> String,
    /// The name of the dashboard's tabs, for screen readers.
    pub tabs_label: &'static str,
    pub your_photos_tab: &'static str,
    pub liked_tab: &'static str,
    pub liked_empty: &'static str,
    pub search_own_label: &'static str,
    pub search_placeholder: &'static str,
    pub search_button: &'static str,
    pub show_all_photos: &'static str,

    // The gallery.
    pub loading_your_photos: &'static str,
    /// A search without results, with the query.
    pub no_photos_match: fn(&str) -> String,
    pub search_explained: &'static str,
    pub no_photos_yet: &'static str,
    pub no_photos_explained: &'static str,
    /// The heading of a search's results, with the query.
    pub photos_matching: fn(&str) -> String,
    pub load_more: &'static str,
    pub select_photo: &'static str,
    pub try_again: &'static str,
    /// How many photos are ticked.
    pub photos_selected: fn(usize) -> String,
    pub bulk_visibility_label: &'static str,
    pub set_visibility: &'static str,
    pub clear_selection: &'static str,

    // The uploader.
    /// Before the "choose files" link.
    pub drop_photos: &'static str,
    pub choose_files: &'static str,
    pub upload_hint: &'static str,
    /// An upload's progress, in percent.
    pub upload_progress: fn(u64) -> String,
    pub uploaded: &'static str,
    pub upload_not_started: &'static str,
    pub upload_unreachable: &'static str,
    pub upload_session_ended: &'static str,
    pub upload_too_large: &'static str,
    /// An upload that failed with an HTTP status the page has no words for.
    pub upload_failed_status: fn(u16) -> String,

    // Explore.
    pub explore_intro: &'static str,
    pub search_public_label: &'static str,
    pub loading_photos: &'static str,
    pub nobody_shared: &'static str,
    /// A search of public photos without results, with the query.
    pub no_public_photos_match: fn(&str) -> String,
}

pub const EN: GalleryTexts = GalleryTexts {
    dashboard_title: "Your photos",
    hello: hello_en,
    tabs_label: "Photos",
    your_photos_tab: "Your photos",
    liked_tab: "Liked",
    liked_empty: "Photos you like on Explore appear here.",
    search_own_label: "Search your photos by caption",
    search_placeholder: "Search captions, e.g. dog beach",
    search_button: "Search",
    show_all_photos: "Show all photos",
    loading_your_photos: "Loading your photos…",
    no_photos_match: no_photos_match_en,
    search_explained: "Search looks for every word in the captions, the model's and your own.",
    no_photos_yet: "No photos yet",
    no_photos_explained: "Photos you upload appear here, each with its caption.",
    photos_matching: photos_matching_en,
    load_more: "Load more",
    select_photo: "Select this photo",
    try_again: "Try again",
    photos_selected: photos_selected_en,
    bulk_visibility_label: "Who can see the selected photos",
    set_visibility: "Set visibility",
    clear_selection: "Clear selection",
    drop_photos: "Drop photos here, or ",
    choose_files: "choose files",
    upload_hint: "JPEG, PNG, WebP or GIF, up to 20 MB and 50 megapixels each",
    upload_progress: upload_progress_en,
    uploaded: "Uploaded",
    upload_not_started: "The browser could not start the upload.",
    upload_unreachable: "The upload did not reach the server. Check your connection and try again.",
    upload_session_ended: "Your session has ended. Please log in again.",
    upload_too_large: "The file is larger than 20 MB.",
    upload_failed_status: upload_failed_status_en,
    explore_intro: "Photos people chose to share with everyone, each described by its caption.",
    search_public_label: "Search public photos by caption",
    loading_photos: "Loading photos…",
    nobody_shared: "Nobody has shared a photo yet.",
    no_public_photos_match: no_public_photos_match_en,
};

pub const ZH: GalleryTexts = GalleryTexts {
    dashboard_title: "我的照片",
    hello: hello_zh,
    tabs_label: "照片",
    // Not "我的照片": the header's dashboard link has that name, on the same page.
    your_photos_tab: "我上传的",
    liked_tab: "我赞过的",
    liked_empty: "你在“发现”中点赞的照片会显示在这里。",
    search_own_label: "按描述搜索你的照片",
    search_placeholder: "搜索描述，例如：狗 海滩",
    search_button: "搜索",
    show_all_photos: "显示全部照片",
    loading_your_photos: "正在加载你的照片…",
    no_photos_match: no_photos_match_zh,
    search_explained: "搜索会查找描述中的每个词，包括模型写的和你自己写的。",
    no_photos_yet: "还没有照片",
    no_photos_explained: "你上传的照片会显示在这里，每张都附有描述。",
    photos_matching: photos_matching_zh,
    load_more: "加载更多",
    select_photo: "选择这张照片",
    try_again: "重试",
    photos_selected: photos_selected_zh,
    bulk_visibility_label: "谁可以看到所选照片",
    set_visibility: "设置可见范围",
    clear_selection: "取消选择",
    drop_photos: "将照片拖放到这里，或",
    choose_files: "选择文件",
    upload_hint: "支持 JPEG、PNG、WebP 或 GIF，每张最大 20 MB、5000 万像素",
    upload_progress: upload_progress_zh,
    uploaded: "已上传",
    upload_not_started: "浏览器无法开始上传。",
    upload_unreachable: "文件未能上传到服务器。请检查网络连接后重试。",
    upload_session_ended: "登录已过期，请重新登录。",
    upload_too_large: "文件超过 20 MB。",
    upload_failed_status: upload_failed_status_zh,
    explore_intro: "大家选择公开分享的照片，每张都配有描述。",
    search_public_label: "按描述搜索公开照片",
    loading_photos: "正在加载照片…",
    nobody_shared: "还没有人分享照片。",
    no_public_photos_match: no_public_photos_match_zh,
};

pub const DE: GalleryTexts = GalleryTexts {
    dashboard_title: "Deine Fotos",
    hello: hello_de,
    tabs_label: "Fotos",
    your_photos_tab: "Deine Fotos",
    liked_tab: "Gefällt mir",
    liked_empty: "Fotos, die dir unter „Entdecken“ gefallen, erscheinen hier.",
    search_own_label: "Deine Fotos nach Bildunterschrift durchsuchen",
    search_placeholder: "Bildunterschriften durchsuchen, z. B. Hund Strand",
    search_button: "Suchen",
    show_all_photos: "Alle Fotos anzeigen",
    loading_your_photos: "Deine Fotos werden geladen …",
    no_photos_match: no_photos_match_de,
    search_explained: "Die Suche findet jedes Wort in den Bildunterschriften – denen des Modells und deinen eigenen.",
    no_photos_yet: "Noch keine Fotos",
    no_photos_explained: "Fotos, die du hochlädst, erscheinen hier, jedes mit seiner Bildunterschrift.",
    photos_matching: photos_matching_de,
    load_more: "Mehr laden",
    select_photo: "Dieses Foto auswählen",
    try_again: "Erneut versuchen",
    photos_selected: photos_selected_de,
    bulk_visibility_label: "Wer die ausgewählten Fotos sehen kann",
    set_visibility: "Sichtbarkeit festlegen",
    clear_selection: "Auswahl aufheben",
    drop_photos: "Fotos hierher ziehen oder ",
    choose_files: "Dateien auswählen",
    upload_hint: "JPEG, PNG, WebP oder GIF, jeweils bis 20 MB und 50 Megapixel",
    upload_progress: upload_progress_de,
    uploaded: "Hochgeladen",
    upload_not_started: "Der Browser konnte den Upload nicht starten.",
    upload_unreachable: "Der Upload hat den Server nicht erreicht. Prüfe deine Verbindung und versuche es noch einmal.",
    upload_session_ended: "Deine Sitzung ist abgelaufen. Bitte melde dich erneut an.",
    upload_too_large: "Die Datei ist größer als 20 MB.",
    upload_failed_status: upload_failed_status_de,
    explore_intro: "Fotos, die Leute mit allen geteilt haben, jedes mit seiner Bildunterschrift.",
    search_public_label: "Öffentliche Fotos nach Bildunterschrift durchsuchen",
    loading_photos: "Fotos werden geladen …",
    nobody_shared: "Noch hat niemand ein Foto geteilt.",
    no_public_photos_match: no_public_photos_match_de,
};

pub const AR: GalleryTexts = GalleryTexts {
    dashboard_title: "صورك",
    hello: hello_ar,
    tabs_label: "الصور",
    your_photos_tab: "صورك",
    liked_tab: "أعجبتني",
    liked_empty: "تظهر هنا الصور التي تبدي إعجابك بها في صفحة الاستكشاف.",
    search_own_label: "ابحث في صورك حسب الوصف",
    search_placeholder: "ابحث في الأوصاف، مثل: كلب شاطئ",
    search_button: "بحث",
    show_all_photos: "عرض كل الصور",
    loading_your_photos: "جارٍ تحميل صورك…",
    no_photos_match: no_photos_match_ar,
    search_explained: "يشمل البحث كل كلمة في الأوصاف، سواء كتبها النموذج أو كتبتها أنت.",
    no_photos_yet: "لا توجد صور بعد",
    no_photos_explained: "تظهر هنا الصور التي ترفعها، ولكلٍّ منها وصفها.",
    photos_matching: photos_matching_ar,
    load_more: "تحميل المزيد",
    select_photo: "تحديد هذه الصورة",
    try_again: "إعادة المحاولة",
    photos_selected: photos_selected_ar,
    bulk_visibility_label: "من يمكنه رؤية الصور المحددة",
    set_visibility: "تعيين مستوى الظهور",
    clear_selection: "إلغاء التحديد",
    drop_photos: "أفلت الصور هنا، أو ",
    choose_files: "اختر ملفات",
    upload_hint: "JPEG أو PNG أو WebP أو GIF، بحد أقصى ٢٠ م.ب و٥٠ ميغابكسل لكل صورة",
    upload_progress: upload_progress_ar,
    uploaded: "تم الرفع",
    upload_not_started: "تعذّر على المتصفح بدء الرفع.",
    upload_unreachable: "لم يصل الملف المرفوع إلى الخادم. تحقّق من اتصالك وحاول مرة أخرى.",
    upload_session_ended: "انتهت جلستك. يُرجى تسجيل الدخول مرة أخرى.",
    upload_too_large: "حجم الملف أكبر من ٢٠ م.ب.",
    upload_failed_status: upload_failed_status_ar,
    explore_intro: "صور اختار أصحابها مشاركتها مع الجميع، ولكلٍّ منها وصفها.",
    search_public_label: "ابحث في الصور العامة حسب الوصف",
    loading_photos: "جارٍ تحميل الصور…",
    nobody_shared: "لم يشارك أحد أي صورة بعد.",
    no_public_photos_match: no_public_photos_match_ar,
};

fn hello_en(name: &str) -> String {
    format!("Hello, {name}!")
}
fn hello_zh(name: &str) -> String {
    format!("你好，{name}！")
}
fn hello_de(name: &str) -> String {
    format!("Hallo, {name}!")
}
fn hello_ar(name: &str) -> String {
    format!("مرحبًا، {name}!")
}

fn no_photos_match_en(query: &str) -> String {
    format!("No photos match “{query}”")
}
fn no_photos_match_zh(query: &str) -> String {
    format!("没有与“{query}”匹配的照片")
}
fn no_photos_match_de(query: &str) -> String {
    format!("Keine Fotos passen zu „{query}“")
}
fn no_photos_match_ar(query: &str) -> String {
    format!("لا توجد صور تطابق «{query}»")
}

fn photos_matching_en(query: &str) -> String {
    format!("Photos matching “{query}”")
}
fn photos_matching_zh(query: &str) -> String {
    format!("与“{query}”匹配的照片")
}
fn photos_matching_de(query: &str) -> String {
    format!("Fotos zu „{query}“")
}
fn photos_matching_ar(query: &str) -> String {
    format!("الصور المطابقة لـ«{query}»")
}

fn no_public_photos_match_en(query: &str) -> String {
    format!("No public photos match “{query}”.")
}
fn no_public_photos_match_zh(query: &str) -> String {
    format!("没有与“{query}”匹配的公开照片。")
}
fn no_public_photos_match_de(query: &str) -> String {
    format!("Keine öffentlichen Fotos passen zu „{query}“.")
}
fn no_public_photos_match_ar(query: &str) -> String {
    format!("لا توجد صور عامة تطابق «{query}».")
}

fn photos_selected_en(n: usize) -> String {
    format!("{} selected", formats::EN.number(n as u64))
}
fn photos_selected_zh(n: usize) -> String {
    format!("已选择 {} 张", formats::ZH.number(n as u64))
}
fn photos_selected_de(n: usize) -> String {
    format!("{} ausgewählt", formats::DE.number(n as u64))
}
fn photos_selected_ar(n: usize) -> String {
    let photos = formats::arabic_count(n as u64, "صورة واحدة", "صورتين", "صور", "صورة", "صورة");
    format!("تم تحديد {photos}")
}

fn upload_progress_en(percent: u64) -> String {
    format!("{percent} %")
}
fn upload_progress_zh(percent: u64) -> String {
    format!("{percent}%")
}
fn upload_progress_de(percent: u64) -> String {
    format!("{percent} %")
}
fn upload_progress_ar(percent: u64) -> String {
    format!("{}٪", formats::AR.number(percent))
}

// The status code stays in ASCII digits: it is a code to look up, not a count.
fn upload_failed_status_en(status: u16) -> String {
    format!("The upload failed (HTTP {status}).")
}
fn upload_failed_status_zh(status: u16) -> String {
    format!("上传失败（HTTP {status}）。")
}
fn upload_failed_status_de(status: u16) -> String {
    format!("Der Upload ist fehlgeschlagen (HTTP {status}).")
}
fn upload_failed_status_ar(status: u16) -> String {
    format!("فشل الرفع (HTTP {status}).")
}

#[cfg(test)]
mod tests {
    use crate::i18n::{AR, DE, EN, ZH};

    #[test]
    fn counts_follow_each_languages_plural_rules() {
        assert_eq!((EN.gallery.photos_selected)(2), "2 selected");
        assert_eq!((EN.gallery.photos_selected)(1200), "1,200 selected");
        assert_eq!((DE.gallery.photos_selected)(1200), "1.200 ausgewählt");
        assert_eq!((ZH.gallery.photos_selected)(3), "已选择 3 张");
        assert_eq!((AR.gallery.photos_selected)(1), "تم تحديد صورة واحدة");
        assert_eq!((AR.gallery.photos_selected)(2), "تم تحديد صورتين");
        assert_eq!((AR.gallery.photos_selected)(3), "تم تحديد ٣ صور");
        assert_eq!((AR.gallery.photos_selected)(11), "تم تحديد ١١ صورة");
        assert_eq!((AR.gallery.photos_selected)(100), "تم تحديد ١٠٠ صورة");
        assert_eq!((AR.gallery.upload_progress)(42), "٤٢٪");
    }
}
