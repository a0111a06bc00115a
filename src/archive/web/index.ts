/**
 * The archive viewer: `startArchiveViewer` serves an archive tree over HTTP (index, day logs,
 * search, downloads, live tail); `exportSite` writes the same pages as a static site.
 *
 * @example
 * import { startArchiveViewer } from 'relaykit'
 * const viewer = await startArchiveViewer({ dir: './irc-logs', port: 8080 })
 */
export { type ExportSummary, exportSite } from './export.js';
export {
  type ArchiveViewer,
  ArchiveViewerError,
  type ArchiveViewerOptions,
  startArchiveViewer,
} from './server.js';
