//! Aligning factor solutions (column order and sign) before comparing them: filled in by the
//! factor-analysis work.
