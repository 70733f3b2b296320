// The Fluxo extension's client: starts `fluxo lsp` on stdio for .flow files. Everything
// the editor shows beyond colours (diagnostics, hover, completion, navigation, rename,
// formatting, outline, folding) comes from the server.
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("fluxo").get("server.path", "fluxo");
  const server = { command, args: ["lsp"] };
  client = new LanguageClient(
    "fluxo",
    "Fluxo language server",
    { run: server, debug: server },
    { documentSelector: [{ scheme: "file", language: "fluxo" }] }
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
