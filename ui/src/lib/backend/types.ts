// The shapes the Rust API returns (hand-written for now; generated from the Rust DTOs once the
// app issue lands its type generation).

export type Kind =
  | 'person'
  | 'organization'
  | 'goal'
  | 'meeting'
  | 'outreach'
  | 'task'
  | 'question'
  | 'template';

export interface RecordBase {
  id: string;
  kind: Kind;
  created_at: string;
  updated_at: string;
  name?: string;
  title?: string;
  role?: string | null;
  [field: string]: unknown;
}

export interface ListResponse {
  items: RecordBase[];
  next: string | null;
  total: number;
}

export interface SearchHit {
  id: string;
  kind: Kind;
  title: string;
  score: number;
}

export interface ApiError {
  code: 'validation' | 'not_found' | 'already_open' | 'storage' | 'internal';
  message: string;
}

/** Everything the UI asks of Rust. Two implementations: Tauri IPC and HTTP. */
export interface Backend {
  list(kind: Kind, limit?: number): Promise<ListResponse>;
  search(query: string, limit?: number): Promise<SearchHit[]>;
}
