// Talking to the sandbox server. Every action is a JSON POST; a refusal comes back as
// {"error": "..."} with a sentence meant for the person, which we show as it is.

export class ApiError extends Error {}

export async function post(path, body = {}) {
  let response;
  try {
    response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiError("The sandbox isn't answering. Is it still running?");
  }
  let data = {};
  try {
    data = await response.json();
  } catch {
    // an empty or non-JSON answer: fall through to the status check
  }
  if (!response.ok) throw new ApiError(data.error || `The sandbox refused that (${response.status}).`);
  return data;
}

export async function get(path) {
  const response = await fetch(path);
  const data = await response.json();
  if (!response.ok) throw new ApiError(data.error || `The sandbox refused that (${response.status}).`);
  return data;
}

export const people = {
  text: (id, text) => post(`/api/people/${id}/text`, { text }),
  location: (id, latitude, longitude) => post(`/api/people/${id}/location`, { latitude, longitude }),
  press: (id, messageId, data) => post(`/api/people/${id}/press`, { message_id: messageId, callback_data: data }),
  add: (name, role, language) => post("/api/people", { name, role, language }),
};
