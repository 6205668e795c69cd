// Original file: proto/flotilla/v1/dispatcher.proto


export interface Heartbeat {
}

export interface Heartbeat__Output {
}
