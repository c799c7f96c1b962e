"""Records and retention: how long a candidate's data is kept, legal holds, erasure, and the data export."""
