//! The embedded intent classifier: no network, no model, the same answer for
//! the same text every time (so transcripts stay exact).
//!
//! Each option is scored against the message's content tokens:
//! - *recall*: the best share of one phrase (the label or an example) that the
//!   message contains, so "sem internet" fully matches "tô sem internet";
//! - *coverage*: the share of the message explained by any of the option's
//!   words, so an option whose vocabulary accounts for more of a long message
//!   wins over one that shares a single word with it.
//!
//! Words match exactly, by family ("mudar" / "mudança", see `normalize::stem`),
//! by prefix ("desbloq" / "desbloqueio") or within a small edit distance
//! ("boletu" / "boleto"). The best option wins if its
//! score reaches the threshold and beats the runner-up by a margin;
//! otherwise the answer is "no match" and the card asks again.

use super::normalize::{edit_distance, stem, tokens};
use super::{by_number, Classification, ClassifyFuture, IntentClassifier, IntentOption};

/// How much recall and coverage weigh in an option's score (they sum to 1).
const RECALL_WEIGHT: f32 = 0.6;
const COVERAGE_WEIGHT: f32 = 0.4;
/// Shortest word matched by prefix or by edit distance; shorter words
/// ("sem", "via", "pix") must match exactly.
const MIN_FUZZY_LEN: usize = 4;
const MIN_PREFIX_LEN: usize = 5;
const PREFIX_SIMILARITY: f32 = 0.8;
/// Two words of one family ("mudar" / "mudança"): closer than a shared prefix.
const STEM_SIMILARITY: f32 = 0.9;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OfflineClassifier {
    /// The lowest score that counts as a match. Default 0.5: one word of a
    /// two-word phrase is not enough unless it is all the message says.
    pub threshold: f32,
    /// How far the best option must lead the second. Default 0.1: "internet"
    /// alone fits "sem internet" and "liberar internet" equally, and is
    /// better asked again than guessed.
    pub margin: f32,
}

impl Default for OfflineClassifier {
    fn default() -> Self {
        OfflineClassifier {
            threshold: 0.5,
            margin: 0.1,
        }
    }
}

impl OfflineClassifier {
    /// Classifies without waiting: the driver or a test can call this
    /// directly instead of going through the async trait.
    pub fn classify_now(&self, text: &str, options: &[IntentOption]) -> Classification {
        if let Some(picked) = by_number(text, options) {
            return picked;
        }
        let message = unique(tokens(text));
        if message.is_empty() {
            return Classification::no_match(0.0);
        }
        let mut scores: Vec<(usize, f32)> = options
            .iter()
            .enumerate()
            .map(|(index, option)| (index, score(&message, option)))
            .collect();
        scores.sort_by(|a, b| b.1.total_cmp(&a.1));
        let (best_index, best) = scores.first().copied().unwrap_or((0, 0.0));
        let runner_up = scores.get(1).map_or(0.0, |(_, score)| *score);
        if best >= self.threshold && best - runner_up >= self.margin {
            Classification {
                choice: Some(best_index),
                confidence: best,
            }
        } else {
            Classification::no_match(best)
        }
    }
}

impl IntentClassifier for OfflineClassifier {
    fn classify<'a>(&'a self, text: &'a str, options: &'a [IntentOption]) -> ClassifyFuture<'a> {
        Box::pin(std::future::ready(Ok(self.classify_now(text, options))))
    }
}

fn unique(mut words: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    words.retain(|word| seen.insert(word.clone()));
    words
}

fn score(message: &[String], option: &IntentOption) -> f32 {
    let phrases: Vec<Vec<String>> = std::iter::once(&option.label)
        .chain(&option.examples)
        .map(|phrase| unique(tokens(phrase)))
        .filter(|phrase| !phrase.is_empty())
        .collect();
    let recall = phrases
        .iter()
        .map(|phrase| share_matched(phrase, message))
        .fold(0.0, f32::max);
    let vocabulary = unique(phrases.concat());
    let coverage = share_matched(message, &vocabulary);
    RECALL_WEIGHT * recall + COVERAGE_WEIGHT * coverage
}

/// The average, over `words`, of each word's best similarity in `among`.
fn share_matched(words: &[String], among: &[String]) -> f32 {
    if words.is_empty() {
        return 0.0;
    }
    let total: f32 = words
        .iter()
        .map(|word| {
            among
                .iter()
                .map(|other| similarity(word, other))
                .fold(0.0, f32::max)
        })
        .sum();
    total / words.len() as f32
}

fn similarity(a: &str, b: &str) -> f32 {
    if a == b {
        return 1.0;
    }
    // Numbers and ordinals ("#2") are exact or nothing: 2 is not 3.
    if a.starts_with('#') || b.starts_with('#') {
        return 0.0;
    }
    let (len_a, len_b) = (a.chars().count(), b.chars().count());
    let (shorter, longer) = if len_a <= len_b { (a, b) } else { (b, a) };
    if len_a.min(len_b) < MIN_FUZZY_LEN {
        return 0.0;
    }
    if stem(a) == stem(b) {
        return STEM_SIMILARITY;
    }
    if len_a.min(len_b) >= MIN_PREFIX_LEN && longer.starts_with(shorter) {
        return PREFIX_SIMILARITY;
    }
    let longest = len_a.max(len_b);
    let allowed = if longest <= 6 { 1 } else { 2 };
    let distance = edit_distance(a, b, allowed);
    if distance <= allowed {
        1.0 - distance as f32 / longest as f32
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn isp_options() -> Vec<IntentOption> {
        vec![
            IntentOption::new("2ª via de boleto").with_examples([
                "segunda via",
                "boleto",
                "fatura",
                "pagar conta",
                "código de barras",
                "pix",
            ]),
            IntentOption::new("Desbloqueio de confiança").with_examples([
                "desbloquear internet",
                "liberar internet",
                "internet bloqueada",
                "já paguei",
            ]),
            IntentOption::new("Suporte técnico").with_examples([
                "internet lenta",
                "sem internet",
                "sem sinal",
                "caiu a conexão",
                "wifi não funciona",
                "luz vermelha",
            ]),
            IntentOption::new("Falar com atendente").with_examples([
                "atendente",
                "falar com alguém",
                "humano",
            ]),
        ]
    }

    fn check(text: &str, expected: Option<usize>) {
        let result = OfflineClassifier::default().classify_now(text, &isp_options());
        assert_eq!(result.choice, expected, "{text:?} gave {result:?}");
    }

    #[test]
    fn second_copy_phrasings() {
        check("segunda via do boletu", Some(0));
        check("Quero a 2a via do boleto por favor", Some(0));
        check("2 via", Some(0));
        check("me manda o pix", Some(0));
        check("preciso pagar minha fatura", Some(0));
        check("BOLETO", Some(0));
        check("boletos atrasados", Some(0));
    }

    #[test]
    fn unlock_support_and_people() {
        check("já paguei, libera aí", Some(1));
        check("paguei o boleto mas a internet continua bloqueada", Some(1));
        check("desbloqeio", Some(1));
        check("minha internet tá muito lenta desde ontem", Some(2));
        check("tô sem internet", Some(2));
        check("a luz da onu tá vermelha", Some(2));
        check("o wi-fi não funciona", Some(2));
        check("quero falar com um atendente", Some(3));
        check("suporte tecnico", Some(2));
    }

    #[test]
    fn verbs_find_the_noun_of_their_family() {
        let options = [
            IntentOption::new("Mudança de endereço"),
            IntentOption::new("Troca de plano"),
            IntentOption::new("Cancelamento"),
        ];
        let pick = |text: &str| {
            OfflineClassifier::default()
                .classify_now(text, &options)
                .choice
        };
        assert_eq!(pick("vou me mudar de endereço"), Some(0));
        assert_eq!(pick("quero cancelar"), Some(2));
        assert_eq!(pick("quero trocar meu plano"), Some(1));
        assert_eq!(pick("bom dia"), None);
    }

    #[test]
    fn option_numbers_pick_directly() {
        check("2", Some(1));
        check("opção 3", Some(2));
        check("quatro", Some(3));
        check("9", None);
        check("0", None);
    }

    #[test]
    fn unrelated_ambiguous_or_empty_text_is_no_match() {
        check("qual o horário de funcionamento?", None);
        check("bom dia", None);
        check("", None);
        check("???", None);
        // Fits "sem internet" and "liberar internet" alike.
        check("internet", None);
    }

    #[test]
    fn confidence_is_the_winning_score() {
        let classifier = OfflineClassifier::default();
        let exact = classifier.classify_now("2ª via de boleto", &isp_options());
        assert_eq!(
            exact,
            Classification {
                choice: Some(0),
                confidence: 1.0
            }
        );
        let typo = classifier.classify_now("segunda via do boletu", &isp_options());
        assert!(typo.confidence > 0.5 && typo.confidence < 1.0, "{typo:?}");
        let strict = OfflineClassifier {
            threshold: 0.99,
            ..OfflineClassifier::default()
        };
        assert_eq!(
            strict
                .classify_now("segunda via do boletu", &isp_options())
                .choice,
            None
        );
    }

    #[test]
    fn no_options_never_match() {
        assert_eq!(
            OfflineClassifier::default()
                .classify_now("boleto", &[])
                .choice,
            None
        );
        assert_eq!(
            OfflineClassifier::default().classify_now("1", &[]).choice,
            None
        );
    }

    #[test]
    fn similarity_rules() {
        assert_eq!(similarity("via", "vai"), 0.0);
        assert_eq!(similarity("#2", "#3"), 0.0);
        assert_eq!(similarity("desbloq", "desbloqueio"), PREFIX_SIMILARITY);
        assert!((similarity("boletu", "boleto") - (1.0 - 1.0 / 6.0)).abs() < 1e-6);
        assert_eq!(similarity("internet", "intranets"), 0.0);
    }
}
