// Starts `dirtyrace lsp` (the command is the setting dirtyrace.command, by default the project's
// own `npx dirtyrace lsp`) and connects it to every dirtyrace file the editor opens.
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const [command, ...args] = vscode.workspace.getConfiguration('dirtyrace').get('command');
  const run = { command, args, transport: TransportKind.stdio, options: { shell: process.platform === 'win32' } };
  client = new LanguageClient('dirtyrace', 'dirtyrace', { run, debug: run }, {
    documentSelector: [{ scheme: 'file', language: 'dirtyrace' }],
  });
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client === undefined ? undefined : client.stop();
}

module.exports = { activate, deactivate };
