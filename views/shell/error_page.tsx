import { Layout } from "./layout.tsx";

export function ErrorPage(props: { status: number; message: string }) {
  return (
    <Layout title={`Error ${props.status}`}>
      <section class="card">
        <h2>Error {props.status}</h2>
        <p>{props.message}</p>
        <p>
          <a href="/">Back to the start page</a>
        </p>
      </section>
    </Layout>
  );
}
