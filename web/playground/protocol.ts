// Messages between the playground page and its Web Worker (worker.ts), which owns the library:
// the page stays responsive while a program is checked or runs, and a run streams its progress.
// Everything here is structured-clonable plain data.

import type { Message, RunResult } from '../../index.js';

/** The language's words, for highlighting and completion (sent once by the worker). */
export interface Vocabulary {
  keywords: string[];
  builtins: string[];
  distributions: string[];
  methods: string[];
}

/** A backend and whether it can run here (with the reason when not). */
export interface BackendStatus {
  name: string;
  ok: boolean;
  reason?: string;
}

/** A program as the worker runs it: its text, its name, and the files it may read. */
export interface ProgramFiles {
  file: string;
  source: string;
  /** Virtual files: imports and `data from` files, path -> text. */
  files: Record<string, string>;
}

export interface RunSettings {
  backend: string;
  seed: number;
  /** Overrides the program's step budget when set. */
  steps?: number;
  /** Uploaded data files (virtual paths), in override order; they take precedence over `data from`. */
  dataFiles: string[];
}

export type ToWorker =
  | { type: 'check'; id: number; program: ProgramFiles }
  | { type: 'run'; id: number; program: ProgramFiles; settings: RunSettings }
  | { type: 'stop'; id: number };

/** One histogram of posterior draws, with the 5/50/95 % marks. */
export interface Histogram {
  name: string;
  edges: number[];
  counts: number[];
  q05: number;
  q50: number;
  q95: number;
}

export type FromWorker =
  | { type: 'hello'; vocabulary: Vocabulary; version: string }
  | { type: 'backends'; backends: BackendStatus[] }
  | { type: 'checked'; id: number; messages: Message[] }
  | { type: 'progress'; id: number; points: [number, number][]; steps: number }
  | { type: 'result'; id: number; result: RunResult; histograms: Histogram[] }
  | { type: 'failed'; id: number; message: string };

/** One example of the gallery (web/build.ts writes them to gallery.json). */
export interface GalleryEntry {
  name: string;
  title: string;
  source: string;
  /** Its data files, virtual path -> text. */
  files: Record<string, string>;
}
