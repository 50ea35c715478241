//! What each error and problem code says, per language: one exhaustive `match` per language, so
//! a new code without its text in every language does not compile.

use crate::error::{AppError, ImageRejection, Problem};

pub struct ErrorTexts {
    pub app_error: fn(&AppError) -> String,
    pub problem: fn(&Problem) -> String,
    pub image: fn(ImageRejection) -> String,
}

pub const EN: ErrorTexts = ErrorTexts { app_error: app_error_en, problem: problem_en, image: image_en };
pub const ZH: ErrorTexts = ErrorTexts { app_error: app_error_zh, problem: problem_zh, image: image_zh };
pub const DE: ErrorTexts = ErrorTexts { app_error: app_error_de, problem: problem_de, image: image_de };
pub const AR: ErrorTexts = ErrorTexts { app_error: app_error_ar, problem: problem_ar, image: image_ar };

/// A problem with an uploaded file, after its name when it has one.
fn about_file(file: &str, separator: &str, text: String) -> String {
    if file.is_empty() {
        text
    } else {
        format!("{file}{separator}{text}")
    }
}

fn app_error_en(error: &AppError) -> String {
    match error {
        AppError::InvalidSignup(_) => "Please correct the fields marked below.".into(),
        AppError::BadCredentials { .. } => "Incorrect email or password.".into(),
        AppError::RateLimited { retry_after_secs } => format!("Too many attempts, try again in {retry_after_secs} s."),
        AppError::Unauthorized => "Please log in to continue.".into(),
        AppError::Forbidden => "This request did not come from this site.".into(),
        AppError::NotFound => "Not found.".into(),
        AppError::Invalid(p)
        | AppError::BadRequest(p)
        | AppError::PayloadTooLarge(p)
        | AppError::UnsupportedMediaType(p) => problem_en(p),
        AppError::QuotaExceeded { used_mb, quota_mb } => format!(
            "Your storage is full: {used_mb} MB of your {quota_mb} MB are used. Delete some photos to make room."
        ),
        AppError::NotStored => "The photo could not be stored. Please try again.".into(),
        AppError::Internal => "Something went wrong on our side. Please try again.".into(),
        AppError::Unavailable => "Captioned cannot reach its database right now. Please try again in a moment.".into(),
        AppError::TimedOut => "The upload took too long. Please try again.".into(),
        AppError::ServerFn(_) => "The server could not be reached. Please check your connection and try again.".into(),
    }
}

fn problem_en(problem: &Problem) -> String {
    match problem {
        Problem::UsernameTooShort => "Username must be at least 2 characters.".into(),
        Problem::UsernameTooLong => "Username must be at most 30 characters.".into(),
        Problem::UsernameCharacters => "Username may contain only the letters a to z, digits, '.', '_' and '-'.".into(),
        Problem::UsernameTaken => "This username is taken. Please choose another.".into(),
        Problem::EmailMissing => "Please enter your email address.".into(),
        Problem::EmailTooLong => "That email address is too long.".into(),
        Problem::EmailInvalid => "Please enter a valid email address, like name@example.com.".into(),
        Problem::EmailTaken => "An account with this email already exists. Log in instead?".into(),
        Problem::PasswordTooShort => "Password must be at least 8 characters.".into(),
        Problem::PasswordTooLong => "Password must be at most 128 characters.".into(),
        Problem::PasswordsDiffer => "The two passwords do not match.".into(),
        Problem::CaptionMissing => "Please write a caption.".into(),
        Problem::CaptionTooLong => "A caption can be at most 300 characters.".into(),
        Problem::CaptionControlCharacters => "A caption cannot contain control characters.".into(),
        Problem::DisplayNameTooLong => "A display name can be at most 50 characters.".into(),
        Problem::DisplayNameControlCharacters => "A display name cannot contain control characters.".into(),
        Problem::BioTooLong => "A bio can be at most 300 characters.".into(),
        Problem::BioControlCharacters => "A bio cannot contain control characters.".into(),
        Problem::LinkPasswordTooShort => "A link password must be at least 4 characters, or empty for none.".into(),
        Problem::LinkPasswordTooLong => "A link password can be at most 128 characters.".into(),
        Problem::WrongLinkPassword => "That password is not right.".into(),
        Problem::ChooseLanguage => "Please choose a language.".into(),
        Problem::ChooseCaptionLanguage => "Please choose the caption's language.".into(),
        Problem::ChooseVisibility => "Please choose who can see the photos.".into(),
        Problem::ChooseDefaultVisibility => "Please choose who can see your new photos.".into(),
        Problem::ChooseLinkExpiry => "Please choose when the link ends.".into(),
        Problem::TooManyPhotosAtOnce => "Please choose fewer photos at once.".into(),
        Problem::MalformedRequest => {
            "This request could not be understood. Please reload the page and try again.".into()
        }
        Problem::UploadUnreadable => "The upload could not be read. Please try again.".into(),
        Problem::NoFile => "No file was sent.".into(),
        Problem::Image { file, rejection } => about_file(file, ": ", image_en(*rejection)),
    }
}

fn image_en(rejection: ImageRejection) -> String {
    match rejection {
        ImageRejection::Empty => "The file is empty.".into(),
        ImageRejection::TooLarge => "The file is larger than 20 MB.".into(),
        ImageRejection::UnsupportedFormat => {
            "This is not a photo we can read: JPEG, PNG, WebP and GIF are accepted.".into()
        }
        ImageRejection::TooManyPixels { width, height } => {
            format!("The image is {width} x {height} pixels; at most 50 megapixels are accepted.")
        }
        ImageRejection::Corrupt => "The image file is damaged or incomplete and cannot be read.".into(),
        ImageRejection::OversizedFrame => {
            "A frame of this image is larger than the image itself; such files are not accepted.".into()
        }
    }
}

fn app_error_zh(error: &AppError) -> String {
    match error {
        AppError::InvalidSignup(_) => "请更正下面标出的字段。".into(),
        AppError::BadCredentials { .. } => "邮箱或密码不正确。".into(),
        AppError::RateLimited { retry_after_secs } => format!("尝试次数过多，请在 {retry_after_secs} 秒后重试。"),
        AppError::Unauthorized => "请先登录。".into(),
        AppError::Forbidden => "此请求并非来自本站。".into(),
        AppError::NotFound => "未找到。".into(),
        AppError::Invalid(p)
        | AppError::BadRequest(p)
        | AppError::PayloadTooLarge(p)
        | AppError::UnsupportedMediaType(p) => problem_zh(p),
        AppError::QuotaExceeded { used_mb, quota_mb } => {
            format!("你的存储空间已满：{quota_mb} MB 中已用 {used_mb} MB。请删除一些照片以腾出空间。")
        }
        AppError::NotStored => "照片未能保存，请重试。".into(),
        AppError::Internal => "我们这边出了点问题，请重试。".into(),
        AppError::Unavailable => "Captioned 暂时无法连接数据库，请稍后重试。".into(),
        AppError::TimedOut => "上传耗时过长，请重试。".into(),
        AppError::ServerFn(_) => "无法连接服务器，请检查网络后重试。".into(),
    }
}

fn problem_zh(problem: &Problem) -> String {
    match problem {
        Problem::UsernameTooShort => "用户名至少需要 2 个字符。".into(),
        Problem::UsernameTooLong => "用户名最多 30 个字符。".into(),
        Problem::UsernameCharacters => "用户名只能包含字母 a 到 z、数字以及“.”、“_”和“-”。".into(),
        Problem::UsernameTaken => "该用户名已被占用，请换一个。".into(),
        Problem::EmailMissing => "请输入你的邮箱地址。".into(),
        Problem::EmailTooLong => "该邮箱地址太长。".into(),
        Problem::EmailInvalid => "请输入有效的邮箱地址，例如 name@example.com。".into(),
        Problem::EmailTaken => "该邮箱已注册。要直接登录吗？".into(),
        Problem::PasswordTooShort => "密码至少需要 8 个字符。".into(),
        Problem::PasswordTooLong => "密码最多 128 个字符。".into(),
        Problem::PasswordsDiffer => "两次输入的密码不一致。".into(),
        Problem::CaptionMissing => "请填写描述。".into(),
        Problem::CaptionTooLong => "描述最多 300 个字符。".into(),
        Problem::CaptionControlCharacters => "描述不能包含控制字符。".into(),
        Problem::DisplayNameTooLong => "显示名称最多 50 个字符。".into(),
        Problem::DisplayNameControlCharacters => "显示名称不能包含控制字符。".into(),
        Problem::BioTooLong => "个人简介最多 300 个字符。".into(),
        Problem::BioControlCharacters => "个人简介不能包含控制字符。".into(),
        Problem::LinkPasswordTooShort => "链接密码至少需要 4 个字符；留空则不设密码。".into(),
        Problem::LinkPasswordTooLong => "链接密码最多 128 个字符。".into(),
        Problem::WrongLinkPassword => "密码不正确。".into(),
        Problem::ChooseLanguage => "请选择一种语言。".into(),
        Problem::ChooseCaptionLanguage => "请选择描述所用的语言。".into(),
        Problem::ChooseVisibility => "请选择谁可以看到这些照片。".into(),
        Problem::ChooseDefaultVisibility => "请选择谁可以看到你的新照片。".into(),
        Problem::ChooseLinkExpiry => "请选择链接何时失效。".into(),
        Problem::TooManyPhotosAtOnce => "一次选择的照片太多，请少选一些。".into(),
        Problem::MalformedRequest => "无法理解此请求，请刷新页面后重试。".into(),
        Problem::UploadUnreadable => "无法读取上传内容，请重试。".into(),
        Problem::NoFile => "没有收到文件。".into(),
        Problem::Image { file, rejection } => about_file(file, "：", image_zh(*rejection)),
    }
}

fn image_zh(rejection: ImageRejection) -> String {
    match rejection {
        ImageRejection::Empty => "文件是空的。".into(),
        ImageRejection::TooLarge => "文件超过 20 MB。".into(),
        ImageRejection::UnsupportedFormat => "无法读取这张照片：仅支持 JPEG、PNG、WebP 和 GIF 格式。".into(),
        ImageRejection::TooManyPixels { width, height } => {
            format!("图片为 {width} × {height} 像素；最多支持 5000 万像素。")
        }
        ImageRejection::Corrupt => "图片文件已损坏或不完整，无法读取。".into(),
        ImageRejection::OversizedFrame => "此图片中有一帧比图片本身还大，不支持此类文件。".into(),
    }
}

fn app_error_de(error: &AppError) -> String {
    match error {
        AppError::InvalidSignup(_) => "Bitte korrigiere die unten markierten Felder.".into(),
        AppError::BadCredentials { .. } => "E-Mail-Adresse oder Passwort ist falsch.".into(),
        AppError::RateLimited { retry_after_secs } => {
            format!("Zu viele Versuche. Bitte versuche es in {retry_after_secs} s erneut.")
        }
        AppError::Unauthorized => "Bitte melde dich an, um fortzufahren.".into(),
        AppError::Forbidden => "Diese Anfrage kam nicht von dieser Website.".into(),
        AppError::NotFound => "Nicht gefunden.".into(),
        AppError::Invalid(p) | AppError::BadRequest(p) | AppError::PayloadTooLarge(p) | AppError::UnsupportedMediaType(p) => {
            problem_de(p)
        }
        AppError::QuotaExceeded { used_mb, quota_mb } => format!(
            "Dein Speicher ist voll: {used_mb} MB von {quota_mb} MB sind belegt. Lösche ein paar Fotos, um Platz zu schaffen."
        ),
        AppError::NotStored => "Das Foto konnte nicht gespeichert werden. Bitte versuche es erneut.".into(),
        AppError::Internal => "Bei uns ist etwas schiefgelaufen. Bitte versuche es erneut.".into(),
        AppError::Unavailable => {
            "Captioned erreicht seine Datenbank gerade nicht. Bitte versuche es gleich noch einmal.".into()
        }
        AppError::TimedOut => "Das Hochladen hat zu lange gedauert. Bitte versuche es erneut.".into(),
        AppError::ServerFn(_) => {
            "Der Server ist nicht erreichbar. Bitte prüfe deine Verbindung und versuche es erneut.".into()
        }
    }
}

fn problem_de(problem: &Problem) -> String {
    match problem {
        Problem::UsernameTooShort => "Der Benutzername muss mindestens 2 Zeichen lang sein.".into(),
        Problem::UsernameTooLong => "Der Benutzername darf höchstens 30 Zeichen lang sein.".into(),
        Problem::UsernameCharacters => {
            "Der Benutzername darf nur die Buchstaben a bis z, Ziffern sowie „.“, „_“ und „-“ enthalten.".into()
        }
        Problem::UsernameTaken => "Dieser Benutzername ist vergeben. Bitte wähle einen anderen.".into(),
        Problem::EmailMissing => "Bitte gib deine E-Mail-Adresse ein.".into(),
        Problem::EmailTooLong => "Diese E-Mail-Adresse ist zu lang.".into(),
        Problem::EmailInvalid => "Bitte gib eine gültige E-Mail-Adresse ein, z. B. name@example.com.".into(),
        Problem::EmailTaken => "Mit dieser E-Mail-Adresse gibt es schon ein Konto. Möchtest du dich anmelden?".into(),
        Problem::PasswordTooShort => "Das Passwort muss mindestens 8 Zeichen lang sein.".into(),
        Problem::PasswordTooLong => "Das Passwort darf höchstens 128 Zeichen lang sein.".into(),
        Problem::PasswordsDiffer => "Die beiden Passwörter stimmen nicht überein.".into(),
        Problem::CaptionMissing => "Bitte schreib eine Bildunterschrift.".into(),
        Problem::CaptionTooLong => "Eine Bildunterschrift darf höchstens 300 Zeichen lang sein.".into(),
        Problem::CaptionControlCharacters => "Eine Bildunterschrift darf keine Steuerzeichen enthalten.".into(),
        Problem::DisplayNameTooLong => "Ein Anzeigename darf höchstens 50 Zeichen lang sein.".into(),
        Problem::DisplayNameControlCharacters => "Ein Anzeigename darf keine Steuerzeichen enthalten.".into(),
        Problem::BioTooLong => "„Über mich“ darf höchstens 300 Zeichen lang sein.".into(),
        Problem::BioControlCharacters => "„Über mich“ darf keine Steuerzeichen enthalten.".into(),
        Problem::LinkPasswordTooShort => {
            "Ein Link-Passwort muss mindestens 4 Zeichen lang sein. Lass das Feld leer, wenn du keins willst.".into()
        }
        Problem::LinkPasswordTooLong => "Ein Link-Passwort darf höchstens 128 Zeichen lang sein.".into(),
        Problem::WrongLinkPassword => "Das Passwort stimmt nicht.".into(),
        Problem::ChooseLanguage => "Bitte wähle eine Sprache.".into(),
        Problem::ChooseCaptionLanguage => "Bitte wähle die Sprache der Bildunterschrift.".into(),
        Problem::ChooseVisibility => "Bitte wähle, wer die Fotos sehen darf.".into(),
        Problem::ChooseDefaultVisibility => "Bitte wähle, wer deine neuen Fotos sehen darf.".into(),
        Problem::ChooseLinkExpiry => "Bitte wähle, wann der Link abläuft.".into(),
        Problem::TooManyPhotosAtOnce => "Bitte wähle weniger Fotos auf einmal.".into(),
        Problem::MalformedRequest => {
            "Diese Anfrage konnte nicht verarbeitet werden. Bitte lade die Seite neu und versuche es erneut.".into()
        }
        Problem::UploadUnreadable => "Der Upload konnte nicht gelesen werden. Bitte versuche es erneut.".into(),
        Problem::NoFile => "Es wurde keine Datei gesendet.".into(),
        Problem::Image { file, rejection } => about_file(file, ": ", image_de(*rejection)),
    }
}

fn image_de(rejection: ImageRejection) -> String {
    match rejection {
        ImageRejection::Empty => "Die Datei ist leer.".into(),
        ImageRejection::TooLarge => "Die Datei ist größer als 20 MB.".into(),
        ImageRejection::UnsupportedFormat => {
            "Das ist kein Foto, das wir lesen können: JPEG, PNG, WebP und GIF werden angenommen.".into()
        }
        ImageRejection::TooManyPixels { width, height } => {
            format!("Das Bild hat {width} × {height} Pixel; höchstens 50 Megapixel werden angenommen.")
        }
        ImageRejection::Corrupt => {
            "Die Bilddatei ist beschädigt oder unvollständig und kann nicht gelesen werden.".into()
        }
        ImageRejection::OversizedFrame => {
            "Ein Einzelbild dieses Bildes ist größer als das Bild selbst; solche Dateien werden nicht angenommen."
                .into()
        }
    }
}

fn app_error_ar(error: &AppError) -> String {
    match error {
        AppError::InvalidSignup(_) => "يُرجى تصحيح الحقول المشار إليها أدناه.".into(),
        AppError::BadCredentials { .. } => "البريد الإلكتروني أو كلمة المرور غير صحيحة.".into(),
        AppError::RateLimited { retry_after_secs } => {
            format!("محاولات كثيرة جدًا، حاول مرة أخرى بعد {} ث.", crate::i18n::formats::AR.number(*retry_after_secs))
        }
        AppError::Unauthorized => "يُرجى تسجيل الدخول للمتابعة.".into(),
        AppError::Forbidden => "لم يصدر هذا الطلب من هذا الموقع.".into(),
        AppError::NotFound => "غير موجود.".into(),
        AppError::Invalid(p)
        | AppError::BadRequest(p)
        | AppError::PayloadTooLarge(p)
        | AppError::UnsupportedMediaType(p) => problem_ar(p),
        AppError::QuotaExceeded { used_mb, quota_mb } => {
            let n = |x: u64| crate::i18n::formats::AR.number(x);
            format!(
                "مساحة التخزين لديك ممتلئة: استُخدم {} م.ب من أصل {} م.ب. احذف بعض الصور لتوفير مساحة.",
                n(*used_mb),
                n(*quota_mb)
            )
        }
        AppError::NotStored => "تعذّر حفظ الصورة. يُرجى المحاولة مرة أخرى.".into(),
        AppError::Internal => "حدث خطأ من جهتنا. يُرجى المحاولة مرة أخرى.".into(),
        AppError::Unavailable => "لا يستطيع Captioned الوصول إلى قاعدة بياناته الآن. يُرجى المحاولة بعد قليل.".into(),
        AppError::TimedOut => "استغرق الرفع وقتًا طويلًا. يُرجى المحاولة مرة أخرى.".into(),
        AppError::ServerFn(_) => "تعذّر الوصول إلى الخادم. تحقّق من اتصالك وحاول مرة أخرى.".into(),
    }
}

fn problem_ar(problem: &Problem) -> String {
    match problem {
        Problem::UsernameTooShort => "يجب ألا يقل اسم المستخدم عن حرفين.".into(),
        Problem::UsernameTooLong => "يجب ألا يزيد اسم المستخدم على ٣٠ حرفًا.".into(),
        Problem::UsernameCharacters => {
            "يمكن أن يحتوي اسم المستخدم على الحروف اللاتينية من a إلى z والأرقام و«.» و«_» و«-» فقط.".into()
        }
        Problem::UsernameTaken => "اسم المستخدم هذا مستخدَم بالفعل. يُرجى اختيار اسم آخر.".into(),
        Problem::EmailMissing => "يُرجى إدخال بريدك الإلكتروني.".into(),
        Problem::EmailTooLong => "عنوان البريد الإلكتروني هذا طويل جدًا.".into(),
        Problem::EmailInvalid => "يُرجى إدخال بريد إلكتروني صالح، مثل name@example.com.".into(),
        Problem::EmailTaken => "يوجد حساب بهذا البريد الإلكتروني بالفعل. هل تريد تسجيل الدخول بدلًا من ذلك؟".into(),
        Problem::PasswordTooShort => "يجب ألا تقل كلمة المرور عن ٨ أحرف.".into(),
        Problem::PasswordTooLong => "يجب ألا تزيد كلمة المرور على ١٢٨ حرفًا.".into(),
        Problem::PasswordsDiffer => "كلمتا المرور غير متطابقتين.".into(),
        Problem::CaptionMissing => "يُرجى كتابة وصف.".into(),
        Problem::CaptionTooLong => "يجب ألا يزيد الوصف على ٣٠٠ حرف.".into(),
        Problem::CaptionControlCharacters => "لا يمكن أن يحتوي الوصف على محارف تحكّم.".into(),
        Problem::DisplayNameTooLong => "يجب ألا يزيد الاسم المعروض على ٥٠ حرفًا.".into(),
        Problem::DisplayNameControlCharacters => "لا يمكن أن يحتوي الاسم المعروض على محارف تحكّم.".into(),
        Problem::BioTooLong => "يجب ألا تزيد النبذة التعريفية على ٣٠٠ حرف.".into(),
        Problem::BioControlCharacters => "لا يمكن أن تحتوي النبذة التعريفية على محارف تحكّم.".into(),
        Problem::LinkPasswordTooShort => "يجب ألا تقل كلمة مرور الرابط عن ٤ أحرف، أو اتركها فارغة.".into(),
        Problem::LinkPasswordTooLong => "يجب ألا تزيد كلمة مرور الرابط على ١٢٨ حرفًا.".into(),
        Problem::WrongLinkPassword => "كلمة المرور هذه غير صحيحة.".into(),
        Problem::ChooseLanguage => "يُرجى اختيار لغة.".into(),
        Problem::ChooseCaptionLanguage => "يُرجى اختيار لغة الوصف.".into(),
        Problem::ChooseVisibility => "يُرجى اختيار من يمكنه رؤية الصور.".into(),
        Problem::ChooseDefaultVisibility => "يُرجى اختيار من يمكنه رؤية صورك الجديدة.".into(),
        Problem::ChooseLinkExpiry => "يُرجى اختيار موعد انتهاء الرابط.".into(),
        Problem::TooManyPhotosAtOnce => "يُرجى اختيار عدد أقل من الصور في المرة الواحدة.".into(),
        Problem::MalformedRequest => "تعذّر فهم هذا الطلب. يُرجى إعادة تحميل الصفحة والمحاولة مرة أخرى.".into(),
        Problem::UploadUnreadable => "تعذّرت قراءة الملف المرفوع. يُرجى المحاولة مرة أخرى.".into(),
        Problem::NoFile => "لم يُرسَل أي ملف.".into(),
        Problem::Image { file, rejection } => about_file(file, ": ", image_ar(*rejection)),
    }
}

fn image_ar(rejection: ImageRejection) -> String {
    match rejection {
        ImageRejection::Empty => "الملف فارغ.".into(),
        ImageRejection::TooLarge => "حجم الملف أكبر من ٢٠ م.ب.".into(),
        ImageRejection::UnsupportedFormat => {
            "هذه ليست صورة يمكننا قراءتها: الصيغ المقبولة هي JPEG وPNG وWebP وGIF.".into()
        }
        ImageRejection::TooManyPixels { width, height } => {
            let n = |x: u32| crate::i18n::formats::AR.number(u64::from(x));
            format!("أبعاد الصورة {} × {} بكسل؛ الحد الأقصى المقبول ٥٠ ميغابكسل.", n(width), n(height))
        }
        ImageRejection::Corrupt => "ملف الصورة تالف أو غير مكتمل ولا يمكن قراءته.".into(),
        ImageRejection::OversizedFrame => "أحد إطارات هذه الصورة أكبر من الصورة نفسها؛ لا تُقبل مثل هذه الملفات.".into(),
    }
}

#[cfg(test)]
mod tests {
    use crate::{
        error::{AppError, ImageRejection, Problem},
        i18n::{AR, DE, EN, ZH},
    };

    #[test]
    fn errors_are_said_in_the_readers_language() {
        let err = AppError::Invalid(Problem::CaptionTooLong);
        assert_eq!(err.message(&EN), "A caption can be at most 300 characters.");
        assert_eq!(err.to_string(), err.message(&EN), "logs and JSON are English");
        assert_eq!(err.message(&DE), "Eine Bildunterschrift darf höchstens 300 Zeichen lang sein.");
        assert_eq!(err.message(&ZH), "描述最多 300 个字符。");
        assert_eq!(err.message(&AR), "يجب ألا يزيد الوصف على ٣٠٠ حرف.");
        let image = Problem::Image { file: "cat.bmp".into(), rejection: ImageRejection::UnsupportedFormat };
        assert!((DE.errors.problem)(&image).starts_with("cat.bmp: Das ist kein Foto"));
    }
}
