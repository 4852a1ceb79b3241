export { Verifier, inspect } from "./web/tessera_verifier.js";
export type {
  VerifierKey, VerifierOptions, TokenClaims, RejectionReason, VerifyResult, InspectResult,
} from "./web/tessera_verifier.js";
