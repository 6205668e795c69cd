// Original file: proto/flotilla/v1/dispatcher.proto


export interface DetachNetworkResponse {
}

export interface DetachNetworkResponse__Output {
}
