// Original file: proto/flotilla/v1/dispatcher.proto

import type { SessionAccepted as _flotilla_v1_SessionAccepted, SessionAccepted__Output as _flotilla_v1_SessionAccepted__Output } from '../../flotilla/v1/SessionAccepted.js';
import type { Assignments as _flotilla_v1_Assignments, Assignments__Output as _flotilla_v1_Assignments__Output } from '../../flotilla/v1/Assignments.js';
import type { Peers as _flotilla_v1_Peers, Peers__Output as _flotilla_v1_Peers__Output } from '../../flotilla/v1/Peers.js';
import type { LogsRequest as _flotilla_v1_LogsRequest, LogsRequest__Output as _flotilla_v1_LogsRequest__Output } from '../../flotilla/v1/LogsRequest.js';
import type { ManagerList as _flotilla_v1_ManagerList, ManagerList__Output as _flotilla_v1_ManagerList__Output } from '../../flotilla/v1/ManagerList.js';
import type { IngressEndpoints as _flotilla_v1_IngressEndpoints, IngressEndpoints__Output as _flotilla_v1_IngressEndpoints__Output } from '../../flotilla/v1/IngressEndpoints.js';
import type { IngressChanges as _flotilla_v1_IngressChanges, IngressChanges__Output as _flotilla_v1_IngressChanges__Output } from '../../flotilla/v1/IngressChanges.js';
import type { IssuedCertificate as _flotilla_v1_IssuedCertificate, IssuedCertificate__Output as _flotilla_v1_IssuedCertificate__Output } from '../../flotilla/v1/IssuedCertificate.js';
import type { RenewNow as _flotilla_v1_RenewNow, RenewNow__Output as _flotilla_v1_RenewNow__Output } from '../../flotilla/v1/RenewNow.js';
import type { TrustBundle as _flotilla_v1_TrustBundle, TrustBundle__Output as _flotilla_v1_TrustBundle__Output } from '../../flotilla/v1/TrustBundle.js';
import type { OverlayNetworks as _flotilla_v1_OverlayNetworks, OverlayNetworks__Output as _flotilla_v1_OverlayNetworks__Output } from '../../flotilla/v1/OverlayNetworks.js';
import type { OverlayChanges as _flotilla_v1_OverlayChanges, OverlayChanges__Output as _flotilla_v1_OverlayChanges__Output } from '../../flotilla/v1/OverlayChanges.js';
import type { SecretsUpdate as _flotilla_v1_SecretsUpdate, SecretsUpdate__Output as _flotilla_v1_SecretsUpdate__Output } from '../../flotilla/v1/SecretsUpdate.js';

export interface ManagerMessage {
  'accepted'?: (_flotilla_v1_SessionAccepted | null);
  'assignments'?: (_flotilla_v1_Assignments | null);
  'peers'?: (_flotilla_v1_Peers | null);
  'logs'?: (_flotilla_v1_LogsRequest | null);
  'managers'?: (_flotilla_v1_ManagerList | null);
  'ingress'?: (_flotilla_v1_IngressEndpoints | null);
  'ingressChanges'?: (_flotilla_v1_IngressChanges | null);
  'certificate'?: (_flotilla_v1_IssuedCertificate | null);
  'renewNow'?: (_flotilla_v1_RenewNow | null);
  'trust'?: (_flotilla_v1_TrustBundle | null);
  'overlays'?: (_flotilla_v1_OverlayNetworks | null);
  'overlayChanges'?: (_flotilla_v1_OverlayChanges | null);
  'secrets'?: (_flotilla_v1_SecretsUpdate | null);
  'payload'?: "accepted"|"assignments"|"peers"|"logs"|"managers"|"ingress"|"ingressChanges"|"certificate"|"renewNow"|"trust"|"overlays"|"overlayChanges"|"secrets";
}

export interface ManagerMessage__Output {
  'accepted'?: (_flotilla_v1_SessionAccepted__Output | null);
  'assignments'?: (_flotilla_v1_Assignments__Output | null);
  'peers'?: (_flotilla_v1_Peers__Output | null);
  'logs'?: (_flotilla_v1_LogsRequest__Output | null);
  'managers'?: (_flotilla_v1_ManagerList__Output | null);
  'ingress'?: (_flotilla_v1_IngressEndpoints__Output | null);
  'ingressChanges'?: (_flotilla_v1_IngressChanges__Output | null);
  'certificate'?: (_flotilla_v1_IssuedCertificate__Output | null);
  'renewNow'?: (_flotilla_v1_RenewNow__Output | null);
  'trust'?: (_flotilla_v1_TrustBundle__Output | null);
  'overlays'?: (_flotilla_v1_OverlayNetworks__Output | null);
  'overlayChanges'?: (_flotilla_v1_OverlayChanges__Output | null);
  'secrets'?: (_flotilla_v1_SecretsUpdate__Output | null);
  'payload'?: "accepted"|"assignments"|"peers"|"logs"|"managers"|"ingress"|"ingressChanges"|"certificate"|"renewNow"|"trust"|"overlays"|"overlayChanges"|"secrets";
}
