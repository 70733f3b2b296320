//! Plain-words names for grammar rules, so that no error message ever shows a rule name.
//!
//! The match is exhaustive on purpose: a new rule does not compile until it has a name.

use super::Rule;

/// What the rule looks like to someone writing a flow.
pub(crate) fn describe(rule: Rule) -> &'static str {
    match rule {
        Rule::EOI => "the end of the file",
        Rule::WHITESPACE | Rule::COMMENT => "a comment",
        Rule::file | Rule::item_chunk | Rule::item | Rule::item_kind => {
            "an item (`flow`, `department`, `tag`...)"
        }
        Rule::erp_item | Rule::kw_erp => "`erp`",
        Rule::entity_item | Rule::entity_kw => {
            "a declaration such as `department suporte \"Suporte\"`"
        }
        Rule::attendant_item | Rule::kw_attendant => "`attendant`",
        Rule::period_item | Rule::kw_period => "`period`",
        Rule::period_rule | Rule::hours_rule => {
            "opening hours such as `mon..fri 08:00-18:00` or `holiday 2026-12-25`"
        }
        Rule::holiday_rule | Rule::kw_holiday => "`holiday`",
        Rule::day_set | Rule::day_range | Rule::weekday => {
            "a weekday such as `mon` or a range such as `mon..fri`"
        }
        Rule::time_span => "opening hours such as `08:00-18:00`",
        Rule::script_item | Rule::kw_script => "`script`",
        Rule::record_field => "a record field such as `dbm: number`",
        Rule::flow_item | Rule::kw_flow => "`flow`",
        Rule::attr | Rule::attr_arg => "an attribute such as `@id(\"c81f\")`",
        Rule::block | Rule::open_brace => "`{`",
        Rule::close_brace => "`}`",
        Rule::close_paren => "`)`",
        Rule::colon => "`:`",
        Rule::comma => "`,`",
        Rule::equals => "`=`",
        Rule::arrow => "`->`",
        Rule::fat_arrow => "`=>`",
        Rule::stmt | Rule::stmt_kind => STATEMENT,
        Rule::label => "a label such as `menu:`",
        Rule::say_stmt | Rule::kw_say => "`say`",
        Rule::say_audio | Rule::kw_audio => "`audio`",
        Rule::ask_stmt | Rule::kw_ask => "`ask`",
        Rule::ask_choice | Rule::kw_choice => "`choice`",
        Rule::ask_confirm | Rule::kw_confirm => "`confirm`",
        Rule::ask_input | Rule::kw_input => "`input`",
        Rule::when_stmt | Rule::kw_when => "`when`",
        Rule::subject => "what to branch on, such as `channel`, `hours comercial` or a variable",
        Rule::hours_subject | Rule::kw_hours => "`hours`",
        Rule::if_stmt | Rule::kw_if => "`if`",
        Rule::else_clause | Rule::kw_else => "`else`",
        Rule::goto_stmt | Rule::kw_goto => "`goto`",
        Rule::transfer_stmt | Rule::kw_transfer => "`transfer`",
        Rule::tag_stmt | Rule::kw_tag => "`tag`",
        Rule::wait_stmt | Rule::kw_wait => "`wait`",
        Rule::set_stmt | Rule::kw_set => "`set`",
        Rule::end_stmt | Rule::kw_end => "`end`",
        Rule::call_stmt | Rule::card_name => "a card such as `notify(...)`",
        Rule::args => "arguments in parentheses, such as `(retries: 3)`",
        Rule::arg | Rule::arg_name => "an argument such as `retries: 3`",
        Rule::arms => "a `{` opening the arms",
        Rule::arm | Rule::pattern => "an arm such as `\"Financeiro\" => goto financeiro`",
        Rule::branch => "a statement or a `{ block }`",
        Rule::expr | Rule::primary | Rule::prefix | Rule::literal | Rule::paren => {
            "a value or an expression"
        }
        Rule::infix => "an operator",
        Rule::list => "a list such as `[\"a\", \"b\"]`",
        Rule::op_or | Rule::kw_or => "`or`",
        Rule::op_and | Rule::kw_and => "`and`",
        Rule::op_not | Rule::kw_not => "`not`",
        Rule::op_neg | Rule::op_sub => "`-`",
        Rule::op_eq => "`==`",
        Rule::op_ne => "`!=`",
        Rule::op_le => "`<=`",
        Rule::op_ge => "`>=`",
        Rule::op_lt => "`<`",
        Rule::op_gt => "`>`",
        Rule::op_add => "`+`",
        Rule::op_mul => "`*`",
        Rule::op_div => "`/`",
        Rule::keyword_value => "`attendant`",
        Rule::path => "a variable such as `protocol` or `sinal.dbm`",
        Rule::ident | Rule::ident_start | Rule::ident_char => {
            "a name (lowercase letters, digits and `_`)"
        }
        Rule::number | Rule::signed_number => "a number",
        Rule::duration => "a duration such as `30s`, `5m` or `2h`",
        Rule::time => "a time such as `08:00`",
        Rule::date => "a date such as `2026-12-25`",
        Rule::range | Rule::range_bound => "a range such as `1..5`",
        Rule::string | Rule::plain_string | Rule::triple_string => "a string in double quotes",
        Rule::plain_text | Rule::triple_text | Rule::escape | Rule::interp => {
            "the text of a string"
        }
        Rule::close_quote => "the closing `\"`",
        Rule::reserved => "a reserved word",
        Rule::kw_department => "`department`",
        Rule::kw_group => "`group`",
        Rule::kw_branch => "`branch`",
        Rule::kw_template => "`template`",
        Rule::kw_agent => "`agent`",
        Rule::kw_as => "`as`",
        Rule::kw_to => "`to`",
        Rule::kw_yes => "`yes`",
        Rule::kw_no => "`no`",
        Rule::kw_true => "`true`",
        Rule::kw_false => "`false`",
        Rule::kw_in => "`in`",
    }
}

pub(crate) const STATEMENT: &str = "a statement (`say`, `ask`, `when`, `goto`, `transfer`...)";
pub(crate) const ITEM: &str = "an item (`flow`, `department`, `tag`...)";
pub(crate) const OPERATOR: &str = "an operator (`==`, `<`, `+`, `and`...)";

/// Infix operators: when several are expected at once, the message says "an operator".
pub(crate) fn is_operator(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::infix
            | Rule::kw_or
            | Rule::kw_and
            | Rule::op_or
            | Rule::op_and
            | Rule::op_eq
            | Rule::op_ne
            | Rule::op_le
            | Rule::op_ge
            | Rule::op_lt
            | Rule::op_gt
            | Rule::op_add
            | Rule::op_sub
            | Rule::op_mul
            | Rule::op_div
    )
}

/// Rules that begin a statement: when many of them are expected at once, the message
/// says "a statement" instead of listing them.
pub(crate) fn starts_statement(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::stmt
            | Rule::stmt_kind
            | Rule::kw_say
            | Rule::kw_ask
            | Rule::kw_when
            | Rule::kw_if
            | Rule::kw_goto
            | Rule::kw_transfer
            | Rule::kw_tag
            | Rule::kw_wait
            | Rule::kw_set
            | Rule::kw_end
            | Rule::call_stmt
            | Rule::card_name
            | Rule::label
            | Rule::say_stmt
            | Rule::ask_stmt
            | Rule::when_stmt
            | Rule::if_stmt
            | Rule::goto_stmt
            | Rule::transfer_stmt
            | Rule::tag_stmt
            | Rule::wait_stmt
            | Rule::set_stmt
            | Rule::end_stmt
    )
}

/// Rules that begin a top-level item.
pub(crate) fn starts_item(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::item
            | Rule::item_kind
            | Rule::erp_item
            | Rule::entity_item
            | Rule::entity_kw
            | Rule::attendant_item
            | Rule::period_item
            | Rule::script_item
            | Rule::flow_item
            | Rule::kw_erp
            | Rule::kw_department
            | Rule::kw_group
            | Rule::kw_branch
            | Rule::kw_template
            | Rule::kw_agent
            | Rule::kw_attendant
            | Rule::kw_period
            | Rule::kw_script
            | Rule::kw_flow
    )
}

/// Keyword tokens, which carry no information once the parse succeeded.
pub(crate) fn is_keyword(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::kw_erp
            | Rule::kw_department
            | Rule::kw_attendant
            | Rule::kw_tag
            | Rule::kw_group
            | Rule::kw_branch
            | Rule::kw_period
            | Rule::kw_holiday
            | Rule::kw_template
            | Rule::kw_agent
            | Rule::kw_script
            | Rule::kw_flow
            | Rule::kw_say
            | Rule::kw_audio
            | Rule::kw_ask
            | Rule::kw_choice
            | Rule::kw_confirm
            | Rule::kw_input
            | Rule::kw_as
            | Rule::kw_when
            | Rule::kw_else
            | Rule::kw_if
            | Rule::kw_goto
            | Rule::kw_transfer
            | Rule::kw_to
            | Rule::kw_wait
            | Rule::kw_set
            | Rule::kw_end
            | Rule::kw_yes
            | Rule::kw_no
            | Rule::kw_true
            | Rule::kw_false
            | Rule::kw_and
            | Rule::kw_or
            | Rule::kw_not
            | Rule::kw_in
            | Rule::kw_hours
    )
}
