/** The answer to `help`: every command with an example. */
export function helpLines(upload: boolean, limits: string, running: number): string[] {
  const lines = [
    'I serve files by direct message. Commands (any case):',
    'help: this list',
    'ls [folder] [page N]: names, sizes and times, folders end in / (ls docs page 2)',
    'find <text>: search names in every folder, up to 50 results (find report)',
    'info <name>: size, time and sha256 (info docs/report.pdf)',
    `get <name>: I offer you the file; ${running} run${running === 1 ? 's' : ''} at once, more wait (get docs/report.pdf)`,
    'queue: what you are getting and what waits',
    'cancel: empty your queue (running transfers go on)',
  ];
  if (upload) {
    lines.push(
      `upload: offer me a file; I keep it under uploads/<your name>/ (${limits})`,
      'rm <name>: remove one of your uploads (rm uploads/you/notes.txt)',
    );
  }
  return lines;
}
