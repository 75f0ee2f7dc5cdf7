/** Size of R's answer (./raw-http.ts), shared with the check of its bodies. */
export const rawBodyBytes = 1024;
