//! Search by caption words. The same normalisation runs when captions are stored (the words the
//! database indexes) and when a query is typed, and it decides which words the results highlight,
//! so that what is found and what is marked always agree.

/// Chinese and Japanese are written without spaces: each ideograph (and kana) is a word of its
/// own, so that "狗" finds "一只黑狗在跑" (Chinese captions are scored by character too).
fn is_ideograph(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30FF}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}

/// Combining marks stay inside their word (Arabic's optional marks and tatweel, by the rule the
/// captioner tokenises Arabic with, and a decomposed "é"); the index leaves them out
/// (`normalise_word`).
fn is_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}') || languages::is_arabic_mark(c)
}

fn is_word_char(c: char) -> bool {
    (c.is_alphanumeric() || c == '\'' || is_mark(c)) && !is_ideograph(c)
}

/// Where the words of `text` are, as byte ranges: runs of letters, digits and apostrophes, and
/// each ideograph alone. Indexing and highlighting both cut text here.
fn word_spans(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut spans = Vec::new();
    let mut run: Option<usize> = None;
    for (at, c) in text.char_indices() {
        if is_word_char(c) {
            run.get_or_insert(at);
            continue;
        }
        if let Some(start) = run.take() {
            spans.push(start..at);
        }
        if is_ideograph(c) {
            spans.push(at..at + c.len_utf8());
        }
    }
    if let Some(start) = run {
        spans.push(start..text.len());
    }
    spans
}

/// Words that a caption almost always has: ignored in a query that has other words.
const STOP_WORDS: [&str; 12] = ["a", "an", "the", "of", "in", "on", "and", "with", "is", "are", "at", "to"];

/// A word as it is indexed: lower case, letters and digits only (combining marks such as Arabic's
/// short vowels, and the tatweel that only stretches a word, left out), a plural `s` dropped ("Dogs" → "dog", "grass" stays).
pub fn normalise_word(word: &str) -> Option<String> {
    let mut word: String =
        word.chars().filter(|c| c.is_alphanumeric() && !is_mark(*c)).flat_map(char::to_lowercase).collect();
    if word.is_empty() {
        return None;
    }
    if word.chars().count() > 3 && word.ends_with('s') && !word.ends_with("ss") {
        word.pop();
    }
    Some(word)
}

/// The words of a caption, normalised, each once, in order.
pub fn index_words(caption: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for word in word_spans(caption).into_iter().filter_map(|span| normalise_word(&caption[span])) {
        if !words.contains(&word) {
            words.push(word);
        }
    }
    words
}

/// The words a query looks for: its normalised words, without the stop words unless the query
/// has nothing else.
pub fn query_words(query: &str) -> Vec<String> {
    let words = index_words(query);
    let content: Vec<String> = words.iter().filter(|w| !STOP_WORDS.contains(&w.as_str())).cloned().collect();
    if content.is_empty() {
        words
    } else {
        content
    }
}

/// The most of a typed query that is searched for.
pub const QUERY_MAX_CHARS: usize = 200;

/// The words of a search box's query (trimmed, cut at `QUERY_MAX_CHARS`); empty for no search.
pub fn search_box_words(query: Option<&str>) -> Vec<String> {
    let query: String = query.unwrap_or_default().trim().chars().take(QUERY_MAX_CHARS).collect();
    query_words(&query)
}

/// A caption cut into pieces, each marked when it is a word the query looks for.
pub fn highlight(caption: &str, query: &[String]) -> Vec<(String, bool)> {
    let mut pieces: Vec<(String, bool)> = Vec::new();
    let mut push = |text: &str, hit: bool| match pieces.last_mut() {
        Some((last, last_hit)) if *last_hit == hit && !hit => last.push_str(text),
        _ => pieces.push((text.to_owned(), hit)),
    };
    let mut at = 0;
    for span in word_spans(caption) {
        if span.start > at {
            push(&caption[at..span.start], false);
        }
        let word = &caption[span.clone()];
        push(word, normalise_word(word).is_some_and(|w| query.contains(&w)));
        at = span.end;
    }
    if at < caption.len() {
        push(&caption[at..], false);
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_lower_case_and_singular() {
        assert_eq!(index_words("Two dogs, running on GRASS!"), ["two", "dog", "running", "on", "grass"]);
        assert_eq!(index_words("a dog's ball and a dog"), ["a", "dog", "ball", "and"]);
        assert_eq!(normalise_word("is"), Some("is".into()));
        assert_eq!(normalise_word("--"), None);
    }

    #[test]
    fn queries_drop_stop_words_unless_nothing_else_is_left() {
        assert_eq!(query_words("a dog on the Beach"), ["dog", "beach"]);
        assert_eq!(query_words("the"), ["the"]);
        assert!(query_words("  ?! ").is_empty());
    }

    #[test]
    fn highlights_mark_the_words_found_and_keep_the_rest() {
        let query = query_words("dogs beach");
        let pieces = highlight("Two dogs run on the beach.", &query);
        assert_eq!(
            pieces,
            vec![
                ("Two ".to_owned(), false),
                ("dogs".to_owned(), true),
                (" run on the ".to_owned(), false),
                ("beach".to_owned(), true),
                (".".to_owned(), false),
            ]
        );
        let joined: String = pieces.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(joined, "Two dogs run on the beach.");
        assert!(highlight("Ünïcode café — ok", &query_words("café")).contains(&("café".to_owned(), true)));
    }

    #[test]
    fn chinese_is_searched_by_character() {
        assert_eq!(index_words("一只黑狗在草地上跑。"), ["一", "只", "黑", "狗", "在", "草", "地", "上", "跑"]);
        assert_eq!(query_words("黑狗"), ["黑", "狗"]);
        assert_eq!(index_words("穿T恤的男孩"), ["穿", "t", "恤", "的", "男", "孩"]);
        let pieces = highlight("一只黑狗。", &query_words("狗"));
        assert_eq!(pieces, vec![("一只黑".to_owned(), false), ("狗".to_owned(), true), ("。".to_owned(), false)]);
    }

    #[test]
    fn german_and_arabic_words_are_found_whole() {
        assert_eq!(query_words("Straße"), ["straße"]);
        assert!(index_words("Ein Hund läuft über die Straße.").contains(&"straße".to_owned()));
        // Diacritics and tatweel are not letters of the word: "كَلْب" and "كلـب" find "كلب".
        assert_eq!(query_words("كَلْب"), ["كلب"]);
        assert_eq!(query_words("كلـب"), ["كلب"]);
        assert_eq!(index_words("كلب يركض على العشب"), ["كلب", "يركض", "على", "العشب"]);
    }
}
