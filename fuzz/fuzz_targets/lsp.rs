//! Fuzz target: arbitrary bytes as what an editor sends `fluxo lsp`, after a real
//! `initialize` and the opening of a small program, through the server's own framing
//! and dispatch (`fluxo_lsp::serve`). Half the inputs are taken as one message body
//! framed correctly, so mutations reach the handlers; the others as the raw stream.
//! Any panic is a crash (the server catches panics to keep a session alive, so the
//! target calls the handler directly for framed bodies).
#![no_main]

use libfuzzer_sys::fuzz_target;

const OPEN: &str = r#"{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///fuzz/main.flow","languageId":"fluxo","version":1,"text":"department suporte \"S\"\nflow main {\n    ask \"CPF?\" input cpf as doc (retries: 3)\n    say \"{doc}\"\n    transfer to suporte\n}\n"}}}"#;
const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"capabilities":{}}}"#;

fn frame(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        let mut server = fluxo_lsp::Server::new();
        server.handle_text(INIT);
        server.handle_text(OPEN);
        server.handle_text(&String::from_utf8_lossy(rest));
    } else {
        let mut input = frame(INIT);
        input.extend(frame(OPEN));
        input.extend_from_slice(rest);
        let _ = fluxo_lsp::serve(&mut std::io::Cursor::new(input), &mut std::io::sink(), &mut std::io::sink());
    }
});
