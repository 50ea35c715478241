//! Search by caption words. The same normalisation runs when captions are stored (the words the
//! database indexes) and when a query is typed, and it decides which words the results highlight,
//! so that what is found and what is marked always agree.

/// Words that a caption almost always has: ignored in a query that has other words.
const STOP_WORDS: [&str; 12] = ["a", "an", "the", "of", "in", "on", "and", "with", "is", "are", "at", "to"];

/// A word as it is indexed: lower case, letters and digits only, a plural `s` dropped
/// ("Dogs" → "dog", "grass" stays).
pub fn normalise_word(word: &str) -> Option<String> {
    let mut word: String = word.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
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
    for word in caption.split(|c: char| !c.is_alphanumeric() && c != '\'').filter_map(normalise_word) {
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
    let mut rest = caption;
    while !rest.is_empty() {
        let start = rest.find(char::is_alphanumeric).unwrap_or(rest.len());
        if start > 0 {
            push(&rest[..start], false);
        }
        rest = &rest[start..];
        let end = rest.find(|c: char| !c.is_alphanumeric() && c != '\'').unwrap_or(rest.len());
        if end == 0 {
            continue;
        }
        let word = &rest[..end];
        let hit = normalise_word(word).is_some_and(|w| query.contains(&w));
        push(word, hit);
        rest = &rest[end..];
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
}
