// The Lattice extension: starts `lat lsp` (setting `lattice.server.path`) as the language
// server for `.lat` files. Highlighting, snippets and brackets are declarative (package.json).
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("lattice").get("server.path", "lat");
  const serverOptions = { command, args: ["lsp"], transport: TransportKind.stdio };
  const clientOptions = { documentSelector: [{ scheme: "file", language: "lattice" }] };
  client = new LanguageClient("lattice", "Lattice", serverOptions, clientOptions);
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
